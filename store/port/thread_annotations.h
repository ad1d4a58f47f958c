// Clang thread-safety annotations (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html): lock rules
// written at the declaration and checked at compile time by the clang build `make thread-safety`
// (-Wthread-safety -Werror). Other compilers see nothing.
#ifndef SSM_REPLAY_STORE_PORT_THREAD_ANNOTATIONS_H_
#define SSM_REPLAY_STORE_PORT_THREAD_ANNOTATIONS_H_

#if defined(__clang__)
#define SSM_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define SSM_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) SSM_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY SSM_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) SSM_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) SSM_THREAD_ANNOTATION(pt_guarded_by(x))
#define ACQUIRED_BEFORE(...) SSM_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) SSM_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#define REQUIRES(...) SSM_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) SSM_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
#define ACQUIRE(...) SSM_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) SSM_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) SSM_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) SSM_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) SSM_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) SSM_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define TRY_ACQUIRE_SHARED(...) SSM_THREAD_ANNOTATION(try_acquire_shared_capability(__VA_ARGS__))
#define EXCLUDES(...) SSM_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) SSM_THREAD_ANNOTATION(assert_capability(x))
#define RETURN_CAPABILITY(x) SSM_THREAD_ANNOTATION(lock_returned(x))
#define NO_THREAD_SAFETY_ANALYSIS SSM_THREAD_ANNOTATION(no_thread_safety_analysis)

#endif  // SSM_REPLAY_STORE_PORT_THREAD_ANNOTATIONS_H_
