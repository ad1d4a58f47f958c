// FUZZ_CHECK: the invariants a fuzz target asserts. A failed check prints what broke and aborts, which
// libFuzzer (and tests/fuzz/standalone_main.cc) report as a crash with the input that caused it.
// Not assert(): it must hold in every build type, NDEBUG included.
#ifndef SSM_REPLAY_TESTS_FUZZ_FUZZ_CHECK_H_
#define SSM_REPLAY_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                                                   \
  do {                                                                                           \
    if (!(cond)) {                                                                               \
      std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n  %s\n", __FILE__, __LINE__, #cond, \
                   (what));                                                                      \
      std::abort();                                                                              \
    }                                                                                            \
  } while (0)

#endif  // SSM_REPLAY_TESTS_FUZZ_FUZZ_CHECK_H_
