// Mock Respan server: implemented by the mock-server work.
