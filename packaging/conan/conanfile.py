"""Conan 2 recipe for respan-cpp.

    conan create packaging/conan --build=missing                  # client only
    conan create packaging/conan -o respan/*:testing=True        # and the mock server

Option `testing` = CMake component `testing` (find_package(respan COMPONENTS testing),
target respan::testing, which brings respan::respan along) = vcpkg feature "testing". The
version and the dependency minimums are kept equal to CMakeLists.txt by
scripts/version_check.sh (CI). The dependencies may come from the system: a profile listing
them in [platform_requires] (Debian's, with `--no-remote`) is what scripts/conan_check.sh
uses, for testing off and on, static and shared, each with test_package/.
"""
import os
import re

from conan import ConanFile
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, load, rmdir, save


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
        tc.variables["RESPAN_BUILD_CLI"] = False
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
        # Which cpp-httplib respan_testing was built with (cmake-package, pkg-config or
        # header-only): package_info() needs it when cpp-httplib is a platform requirement.
        config = os.path.join(self.package_folder, "lib", "cmake", "respan", "respanConfig.cmake")
        match = re.search(r'^set\(respan_HTTPLIB_VARIANT "([^"]*)"\)$', load(self, config), re.M)
        save(self, os.path.join(self.package_folder, "res", "respan_httplib_variant.txt"),
             match.group(1) if match else "")
        rmdir(self, os.path.join(self.package_folder, "lib", "cmake"))
        rmdir(self, os.path.join(self.package_folder, "lib", "pkgconfig"))

    def _link(self, component, requires):
        """Adds `requires` (package::component) to a component. A dependency the profile lists in
        [platform_requires] (e.g. Debian's libcurl) is no Conan package: Conan 2 leaves it out of
        self.dependencies and CMakeDeps makes no target for it, so the component names its system
        libraries instead, which only a static respan needs (a shared one links them itself)."""
        for req in requires:
            pkg = req.split("::")[0]
            if "::" not in req or pkg in self.dependencies.host:
                component.requires.append(req)
            elif not self.options.shared:
                component.system_libs.extend(self._platform_libs(req))

    def _platform_libs(self, req):
        if req == "cpp-httplib::cpp-httplib":
            # Compiled into respan_testing when header-only; Debian's is a library.
            variant = load(self, os.path.join(self.package_folder, "res",
                                              "respan_httplib_variant.txt")).strip()
            return [] if variant in ("", "header-only") else ["cpp-httplib"]
        return {"libcurl::libcurl": ["curl"], "zlib::zlib": ["z"], "openssl::ssl": ["ssl", "crypto"],
                "nlohmann_json::nlohmann_json": []}[req]  # nlohmann/json: headers only

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "respan")
        core = self.cpp_info.components["core"]
        core.set_property("cmake_target_name", "respan::respan")
        core.set_property("pkg_config_name", "respan")
        core.libs = ["respan"]
        self._link(core, ["libcurl::libcurl", "nlohmann_json::nlohmann_json", "zlib::zlib"])
        if self.settings.os in ("Linux", "FreeBSD"):
            core.system_libs.append("pthread")
        if self.options.testing:
            testing = self.cpp_info.components["testing"]
            testing.set_property("cmake_target_name", "respan::testing")
            testing.set_property("pkg_config_name", "respan-testing")
            testing.libs = ["respan_testing"]
            # "core": linking respan::testing alone links the client too (as the CMake package).
            self._link(testing, ["core", "nlohmann_json::nlohmann_json", "cpp-httplib::cpp-httplib",
                                 "openssl::ssl", "zlib::zlib"])
