# targets.cmake — the fuzz targets: fuzz/fuzz_<name>.c, corpus fuzz/corpus/<name>/.  Every parser gets
# one.  Included by fuzz/replay.cmake (corpus replay tests) and fuzz/CMakeLists.txt (libFuzzer).
set(SASAE_FUZZ_TARGETS parse outline departments tags morph query)
