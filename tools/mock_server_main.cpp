// Placeholder replaced by the mock server work; keeps the build graph complete.
int main() { return 0; }
