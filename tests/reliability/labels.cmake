# Read by ctest after reliability_test's discovered tests: gtest_discover_tests writes its
# PROPERTIES flat, so two labels cannot pass through it. Every fault-matrix test is `unit` (the
# ASan step runs it) and `reliability` (`ctest -L reliability` runs the matrix alone).
if(reliability_test_TESTS)
  set_tests_properties(${reliability_test_TESTS} PROPERTIES LABELS "unit;reliability")
endif()
