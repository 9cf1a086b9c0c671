// SPDX-License-Identifier: GPL-2.0
/*
 * A test that always fails, for the test runner's self-test: a runner
 * that counts this as a pass is broken. Not part of the normal run.
 */
#include "../kselftest_harness.h"

TEST(deliberate_failure)
{
	EXPECT_EQ(1, 2) {
		TH_LOG("this test fails on purpose");
	}
}

TEST_HARNESS_MAIN
