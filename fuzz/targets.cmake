# targets.cmake — the fuzz targets: fuzz/fuzz_<name>.c, corpus fuzz/corpus/<name>/.  Every parser gets
# one.  Included by fuzz/replay.cmake (corpus replay tests) and fuzz/CMakeLists.txt (libFuzzer).
# A target links sasae_core unless SASAE_FUZZ_LIBS_<name> names another library (the HTTP target
# drives the web application, so it links sasae_web, which brings sasae_http and sasae_core).
set(SASAE_FUZZ_TARGETS parse outline departments tags morph query http)
set(SASAE_FUZZ_LIBS_http sasae_web)
