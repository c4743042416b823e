"""Conan 2 recipe for respan-cpp.

    conan create packaging/conan --build=missing                  # client only
    conan create packaging/conan -o respan/*:testing=True        # and the mock server

Option `testing` = CMake component `testing` (find_package(respan COMPONENTS testing),
target respan::testing) = vcpkg feature "testing". The version and the dependency minimums
are kept equal to CMakeLists.txt by scripts/version_check.sh (CI).
"""
import os

from conan import ConanFile
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, rmdir


class RespanConan(ConanFile):
    name = "respan"
    version = "0.1.0"
    description = "Typed C++17 client SDK for the Respan LLM observability API"
    license = "Apache-2.0"
    homepage = "https://www.respan.ai"
    topics = ("llm", "observability", "tracing", "sdk")
    package_type = "library"
    settings = "os", "arch", "compiler", "build_type"
    options = {"shared": [True, False], "fPIC": [True, False], "testing": [True, False]}
    default_options = {"shared": False, "fPIC": True, "testing": False}

    def export_sources(self):
        root = os.path.join(self.recipe_folder, "..", "..")
        for pattern in ("CMakeLists.txt", "LICENSE", "cmake/*", "include/*", "src/*", "tools/*"):
            copy(self, pattern, src=root, dst=self.export_sources_folder)

    def config_options(self):
        if self.settings.os == "Windows":
            del self.options.fPIC

    def configure(self):
        if self.options.shared:
            self.options.rm_safe("fPIC")

    def layout(self):
        cmake_layout(self)

    def requirements(self):
        self.requires("libcurl/[>=7.68.0 <9]")
        self.requires("nlohmann_json/[>=3.10.0 <4]", transitive_headers=True)
        self.requires("zlib/[>=1.2.11 <2]")  # gzip of OTLP bodies (libcurl needs it too)
        if self.options.testing:
            # The mock server adapts cpp-httplib 0.11.x internals (src/testing/httplib_adapter.hpp).
            self.requires("cpp-httplib/[>=0.11 <0.12]")
            self.requires("openssl/[>=1.1.1 <4]")  # the mock serves HTTPS

    def validate(self):
        from conan.tools.build import check_min_cppstd
        check_min_cppstd(self, 17)

    def generate(self):
        tc = CMakeToolchain(self)
        tc.variables["RESPAN_BUILD_TESTS"] = False
        tc.variables["RESPAN_BUILD_EXAMPLES"] = False
        tc.variables["RESPAN_BUILD_BENCHMARKS"] = False
        tc.variables["RESPAN_BUILD_FUZZERS"] = False
        tc.variables["RESPAN_BUILD_TESTING_LIB"] = bool(self.options.testing)
        tc.variables["RESPAN_INSTALL"] = True
        tc.generate()
        CMakeDeps(self).generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def package(self):
        copy(self, "LICENSE", src=self.source_folder, dst=os.path.join(self.package_folder, "licenses"))
        CMake(self).install()
        rmdir(self, os.path.join(self.package_folder, "lib", "cmake"))
        rmdir(self, os.path.join(self.package_folder, "lib", "pkgconfig"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "respan")
        core = self.cpp_info.components["core"]
        core.set_property("cmake_target_name", "respan::respan")
        core.set_property("pkg_config_name", "respan")
        core.libs = ["respan"]
        core.requires = ["libcurl::libcurl", "nlohmann_json::nlohmann_json", "zlib::zlib"]
        if self.settings.os in ("Linux", "FreeBSD"):
            core.system_libs = ["pthread"]
        if self.options.testing:
            testing = self.cpp_info.components["testing"]
            testing.set_property("cmake_target_name", "respan::testing")
            testing.set_property("pkg_config_name", "respan-testing")
            testing.libs = ["respan_testing"]
            testing.requires = ["nlohmann_json::nlohmann_json", "cpp-httplib::cpp-httplib",
                                "openssl::ssl", "zlib::zlib"]
