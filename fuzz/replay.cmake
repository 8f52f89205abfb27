# replay.cmake — the fuzz corpora replayed as regression tests in every build, under any compiler
# (included by the root CMakeLists.txt after enable_testing()).
#
# For each fuzz target fuzz/fuzz_<name>.c, builds replay_<name> from it and fuzz/replay_main.c (a
# main() that feeds every file of the given directories to LLVMFuzzerTestOneInput) and registers the
# CTest test fuzz-replay-<name> over fuzz/corpus/<name>/.  The libFuzzer builds themselves are in
# fuzz/CMakeLists.txt (SASAE_FUZZ=ON, clang only).

include(${CMAKE_CURRENT_LIST_DIR}/targets.cmake)

foreach(name IN LISTS SASAE_FUZZ_TARGETS)
  add_executable(replay_${name}
    ${CMAKE_CURRENT_LIST_DIR}/fuzz_${name}.c
    ${CMAKE_CURRENT_LIST_DIR}/replay_main.c)
  if(DEFINED SASAE_FUZZ_LIBS_${name})
    target_link_libraries(replay_${name} PRIVATE ${SASAE_FUZZ_LIBS_${name}})
  else()
    target_link_libraries(replay_${name} PRIVATE sasae_core)
  endif()
  set_target_properties(replay_${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  add_test(NAME fuzz-replay-${name}
           COMMAND replay_${name} ${CMAKE_CURRENT_LIST_DIR}/corpus/${name})
  set_tests_properties(fuzz-replay-${name} PROPERTIES LABELS "fuzz;replay" TIMEOUT 300)
endforeach()
