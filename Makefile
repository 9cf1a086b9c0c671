# SPDX-License-Identifier: GPL-2.0-only
#
# Checkpoint/restart for Linux 6.12: build, boot and test.
#
#   make kernel     both kernels, UAPI headers and modules into out/
#   make check      build everything, boot the test kernel, run all tests
#   make demo       boot the plain kernel and show the subsystem working
#   make bench      checkpoint speed figures, in the plain kernel
#   make lint       checkpatch --strict, kernel-doc, sparse + W=1, docs
#   make series     the subsystem as a git format-patch series, in build/series/
#   make series-check
#                   apply it to a clean tree, build every prefix, checkpatch it
#   make docs       Documentation/checkpoint.rst as HTML, in build/docs/
#   make fuzz       a long run of the restart(2) fuzzer in the test kernel
#   make clean      drop build outputs (keeps the extracted tree)
#
# See README.md.

BUILD := build
OUT := out
SRC := $(BUILD)/linux-source-6.12
KSFT := $(BUILD)/kselftest
export JOBS ?= $(shell nproc)

all: kernel

deps:
	@scripts/install-deps

tree: deps
	@scripts/prepare-tree

kernel: kernel-test kernel-plain

kernel-test: tree
	@scripts/build-kernel test

# The plain build also exports the UAPI headers, so that the demo needs
# no test kernel.
kernel-plain: tree
	@scripts/build-kernel plain

# The kselftests, built static against our exported headers and installed
# with run_kselftest.sh into $(KSFT), which the guest gets as /kselftest.
selftests: kernel-plain
	@echo "selftests: building tools/testing/selftests/checkpoint"
	@rm -rf $(KSFT)
	@$(MAKE) -s -C $(SRC)/tools/testing/selftests TARGETS=checkpoint \
		O=$(CURDIR)/$(BUILD)/kselftest-build \
		KHDR_INCLUDES="-isystem $(CURDIR)/$(OUT)/usr/include" \
		INSTALL_PATH=$(CURDIR)/$(KSFT) install >/dev/null

tools: kernel-plain
	@mkdir -p $(BUILD)/tools
	@$(MAKE) -s -C tools/checkpoint HDR=$(CURDIR)/$(OUT)/usr/include \
		O=$(CURDIR)/$(BUILD)/tools

check: kernel selftests tools
	@scripts/check

# The restart(2) fuzzer for as long as asked: FUZZ_N mutants (default
# 20000) from FUZZ_SEED (default: random, printed). See scripts/fuzz.
fuzz: kernel-test selftests
	@scripts/fuzz

demo: tools
	@scripts/demo

# The bench kernel is the plain one with the options criu needs, so that
# the peer runs in the same boot.
kernel-bench: tree
	@scripts/build-kernel bench

bench: tools kernel-bench
	@scripts/bench

lint: tree
	@scripts/lint

# The subsystem as a git format-patch series against the upstream tree
# (steps and changelogs in scripts/series/), and the proof that it
# applies, bisects and passes checkpatch. Neither touches the prepared
# tree or its builds.
series: deps
	@scripts/series-gen

series-check: deps
	@scripts/series-check

# Only our document, with the kernel's Sphinx configuration and
# kernel-doc: the whole of "make htmldocs" takes far too long.
docs: tree
	@scripts/docs

clean:
	rm -rf $(OUT) $(BUILD)/obj-test $(BUILD)/obj-plain $(BUILD)/obj-bench $(BUILD)/kselftest \
		$(BUILD)/kselftest-build $(BUILD)/tools $(BUILD)/vm $(BUILD)/check \
		$(BUILD)/docs $(BUILD)/fuzz

.PHONY: all deps tree kernel kernel-test kernel-plain kernel-bench selftests tools check fuzz demo bench \
	lint docs series series-check clean
