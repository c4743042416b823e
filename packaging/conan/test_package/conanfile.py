"""Consumer of the respan package that `conan create packaging/conan` builds and runs.

It finds respan through CMakeDeps as any Conan user does: with the `testing` option it links
`respan::testing` alone (which must carry `respan::respan`) and round-trips a span through the
mock server over loopback; without it, it links `respan::respan`, checks that there is no
`respan::testing`, and expects the client's network error from 127.0.0.1:1 (nothing listens).
"""
import os

from conan import ConanFile
from conan.tools.build import can_run
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout


class RespanTestPackageConan(ConanFile):
    settings = "os", "arch", "compiler", "build_type"
    test_type = "explicit"

    def requirements(self):
        self.requires(self.tested_reference_str)

    def layout(self):
        cmake_layout(self)

    def generate(self):
        tc = CMakeToolchain(self)
        tc.cache_variables["RESPAN_TEST_MOCK"] = bool(self.dependencies["respan"].options.testing)
        tc.generate()
        CMakeDeps(self).generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def test(self):
        if can_run(self):
            self.run(os.path.join(self.cpp.build.bindir, "test_package"), env="conanrun")
