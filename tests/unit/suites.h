/* Every unit-test suite, one line each. A test_<module>.c file defines
 * void suite_<module>(void), which adds its suite and tests to the registry. */
SUITE(trace)
SUITE(sim)
SUITE(scenario)
SUITE(policy)
SUITE(arch)
SUITE(mmu)
SUITE(tlb)
SUITE(frames)
SUITE(history)
SUITE(oom)
SUITE(procev)
SUITE(pyrand)
