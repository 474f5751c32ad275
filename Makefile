# vmsim — build, run, test.
#   make run      build (installing missing packages) and run the default scenario
#   make test     build and run every test (unit + golden), then make check-layers
#   make check-layers  the core's calls and includes run one way (docs/design.md, Layout)
#   make bench    benchmarks (references per second, peak memory)
#   make SAN=1    build with AddressSanitizer and UBSan
#   make WERROR=1 treat warnings as errors
#   make install  [PREFIX=/usr/local] [DESTDIR=...]; make uninstall the same way
#   make deb      a Debian package in build/deb/ (make test-deb installs it in a chroot)
#   make fuzz     run every fuzz harness (FUZZ_SECONDS=N each; docs/testing.md)

CC      ?= cc
BUILD   ?= build
PKGS_CORE := inih zlib liblzma
PKGS_CLI  := readline
PKGS_UI   := sdl2 SDL2_ttf SDL2_image fontconfig
PKGS_TEST := cunit

WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -MMD -MP -Iinclude $(CPPFLAGS)
ifeq ($(WERROR),1)
CFLAGS  += -Werror
endif
ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
override BUILD := $(BUILD)-san
endif

# NODEPS=1 skips scripts/deps.sh (a package build has its Build-Depends already).
DEPS_STAMP := $(BUILD)/.deps-ok
pc = $(shell pkg-config $(1) $(2) 2>/dev/null)

# The core: the machine and its inputs in sim/core/, what the CPU does in hw/, what the
# kernel does in os/ (its replacement policies in os/policy/); docs/design.md.
CORE_SRC := $(wildcard sim/core/*.c sim/core/hw/*.c sim/core/os/*.c sim/core/os/policy/*.c)
# What vmsim and vmsim-gui share (options, the loaded run, data folders, plugins).
APP_SRC  := $(wildcard sim/app/*.c)
CLI_SRC  := $(wildcard sim/cli/*.c)
# The verbs beyond run/step/check/gui, each in a folder of its own, built like sim/cli.
TOOL_SRC := $(wildcard sim/grade/*.c sim/ostep/*.c sim/sweep/*.c)
UI_SRC   := $(wildcard sim/ui/*.c)
TEST_SRC := $(wildcard tests/unit/*.c)
UITEST_SRC := $(wildcard tests/ui/*.c)

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
# Sources the Makefile writes into $(BUILD)/gen/ (embedded files, the build's facts).
GEN_NAMES := default_scenario textbook_config buildinfo policy_plugin_h
CLI_OBJ  := $(APP_SRC:%.c=$(BUILD)/%.o) $(CLI_SRC:%.c=$(BUILD)/%.o) $(TOOL_SRC:%.c=$(BUILD)/%.o) $(GEN_NAMES:%=$(BUILD)/gen/%.o)
UI_OBJ   := $(UI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
UITEST_OBJ := $(UITEST_SRC:%.c=$(BUILD)/%.o)
GUI_MAIN := $(BUILD)/sim/ui/gui_main.o
# Everything of the programs but their main(), for test programs to link against.
APP_OBJ  := $(filter-out $(BUILD)/sim/cli/main.o,$(CLI_OBJ)) $(filter-out $(GUI_MAIN),$(UI_OBJ))

VMSIM    := $(BUILD)/vmsim
VMSIM_GUI := $(BUILD)/vmsim-gui
UNIT     := $(BUILD)/test_unit
UITEST   := $(BUILD)/test_ui
CORE_LIB := $(BUILD)/libvmsim_core.a
CLI_LIBS  = $(call pc,--libs,$(PKGS_CORE) $(PKGS_CLI)) -lm -ldl
APP_LIBS  = $(call pc,--libs,$(PKGS_CORE) $(PKGS_CLI) $(PKGS_UI)) -lm -ldl

.PHONY: all run test unit golden bench deps clean check-layers
all: $(VMSIM) $(VMSIM_GUI)

# Packages first: everything else needs pkg-config to find them.
deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps.sh
	@$(if $(NODEPS),:,sh scripts/deps.sh build test gui)
	@mkdir -p $(@D) && touch $@

# The core is compiled without SDL or readline flags: an include of either breaks the build.
$(BUILD)/sim/core/%.o: sim/core/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Isim/core $(call pc,--cflags,$(PKGS_CORE)) -c $< -o $@

$(BUILD)/sim/app/%.o: sim/app/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(call pc,--cflags,$(PKGS_CORE) $(PKGS_CLI)) -c $< -o $@

$(BUILD)/sim/cli/%.o: sim/cli/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Isim/app $(call pc,--cflags,$(PKGS_CORE) $(PKGS_CLI)) -c $< -o $@

$(BUILD)/sim/grade/%.o $(BUILD)/sim/ostep/%.o $(BUILD)/sim/sweep/%.o: | $(DEPS_STAMP)
$(BUILD)/sim/grade/%.o: sim/grade/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Isim/app -Isim/cli $(call pc,--cflags,$(PKGS_CORE) $(PKGS_CLI)) -c $< -o $@
$(BUILD)/sim/ostep/%.o: sim/ostep/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Isim/app -Isim/cli $(call pc,--cflags,$(PKGS_CORE) $(PKGS_CLI)) -c $< -o $@
$(BUILD)/sim/sweep/%.o: sim/sweep/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Isim/app -Isim/cli $(call pc,--cflags,$(PKGS_CORE) $(PKGS_CLI)) -c $< -o $@

# The window's code is the only code compiled with SDL's flags.
$(BUILD)/sim/ui/%.o: sim/ui/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Isim/app $(call pc,--cflags,$(PKGS_CORE) $(PKGS_CLI) $(PKGS_UI)) -c $< -o $@

$(BUILD)/tests/ui/%.o: tests/ui/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Isim/app -Isim/cli -Isim/ui -Itests/unit $(call pc,--cflags,$(PKGS_CORE) $(PKGS_UI) $(PKGS_TEST)) -c $< -o $@

$(BUILD)/tests/unit/%.o: tests/unit/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/unit $(call pc,--cflags,$(PKGS_CORE) $(PKGS_TEST)) -c $< -o $@

$(CORE_LIB): $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

# vmsim itself links no SDL: headless runs load none of its libraries. `vmsim gui`
# starts vmsim-gui, built beside it.
$(VMSIM): $(CLI_OBJ) $(CORE_LIB) | $(VMSIM_GUI)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(CORE_LIB) $(CLI_LIBS)

$(VMSIM_GUI): $(APP_OBJ) $(GUI_MAIN) $(CORE_LIB)
	$(CC) $(LDFLAGS) -o $@ $(APP_OBJ) $(GUI_MAIN) $(CORE_LIB) $(APP_LIBS)

$(UITEST): $(UITEST_OBJ) $(APP_OBJ) $(CORE_LIB)
	$(CC) $(LDFLAGS) -o $@ $(UITEST_OBJ) $(APP_OBJ) $(CORE_LIB) $(APP_LIBS) $(call pc,--libs,$(PKGS_TEST))

# Parts of the verbs' folders that need only the core, tested in the unit suites too.
UNIT_TOOL_OBJ := $(BUILD)/sim/grade/translate.o $(BUILD)/sim/grade/translate_grade.o
$(UNIT): $(TEST_OBJ) $(UNIT_TOOL_OBJ) $(CORE_LIB)
	$(CC) $(LDFLAGS) -o $@ $(TEST_OBJ) $(UNIT_TOOL_OBJ) $(CORE_LIB) $(call pc,--libs,$(PKGS_CORE) $(PKGS_TEST)) -lm

# The window where a display is usable, else the headless report.
run: $(VMSIM)
	$(VMSIM)

unit: $(UNIT)
	$(UNIT)

golden: $(VMSIM)
	sh tests/golden.sh $(VMSIM)

test: $(VMSIM) $(UNIT) $(if $(UITEST_SRC),$(UITEST))
	$(UNIT)
	sh tests/golden.sh $(VMSIM)
	sh tests/cli.sh $(VMSIM)
	$(if $(UITEST_SRC),SDL_VIDEODRIVER=dummy $(UITEST))
	for t in $(wildcard tests/e2e/*.sh tests/verbs/*.sh); do sh $$t $(VMSIM) || exit 1; done
	sh tests/layers/test.sh
	$(CHECK_LAYERS)

# From the objects' symbols and the .d files: hw/ calls nothing above it, os/ not the top
# of sim/core, the core nothing outside it, and no cycle (scripts/check-layers.sh).
CHECK_LAYERS = sh scripts/check-layers.sh . $(BUILD)
check-layers: $(VMSIM) $(VMSIM_GUI)
	$(CHECK_LAYERS)

# ---- fuzzing (tests/fuzz/, clang's libFuzzer; docs/testing.md) ----------------------
# make fuzz [FUZZ_SECONDS=N] [FUZZ=ini trace ...]: builds each harness and runs it for N
# seconds from its seed corpus; a finding (a crash, a sanitizer report, a failed
# bookkeeping check) fails the target and leaves its input in build-fuzz/findings/.
FUZZ_CC      ?= clang
FUZZ_BUILD   := build-fuzz
FUZZ_SECONDS ?= 600
FUZZ_SEED    ?=
FUZZ         ?= ini trace set step gen
FUZZ_CFLAGS  := -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -Iinclude -Isim/core -Isim/app -Isim/cli -Itests/fuzz \
                -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -MMD -MP
FUZZ_OBJ     := $(CORE_SRC:%.c=$(FUZZ_BUILD)/%.o) \
                $(APP_SRC:%.c=$(FUZZ_BUILD)/%.o) \
                $(filter-out $(FUZZ_BUILD)/sim/cli/main.o,$(CLI_SRC:%.c=$(FUZZ_BUILD)/%.o)) \
                $(GEN_NAMES:%=$(FUZZ_BUILD)/gen/%.o) $(FUZZ_BUILD)/tests/fuzz/fuzz_common.o
FUZZ_BINS    := $(FUZZ:%=$(FUZZ_BUILD)/fuzz_%)

.PHONY: fuzz fuzz-build
.SECONDARY: $(FUZZ_OBJ) $(FUZZ:%=$(FUZZ_BUILD)/tests/fuzz/fuzz_%.o)
fuzz-build: $(FUZZ_BINS)
fuzz: $(FUZZ_BINS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_SEED=$(FUZZ_SEED) sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ)

$(FUZZ_BUILD)/.deps-ok: scripts/deps.sh
	@sh scripts/deps.sh fuzz
	@mkdir -p $(@D) && touch $@

$(FUZZ_BUILD)/%.o: %.c | $(FUZZ_BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(call pc,--cflags,$(PKGS_CORE) $(PKGS_CLI)) -c $< -o $@

$(FUZZ_BUILD)/gen/%.o: $(BUILD)/gen/%.c | $(FUZZ_BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_OBJ)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(CLI_LIBS)

-include $(wildcard $(FUZZ_BUILD)/*/*/*/*/*.d $(FUZZ_BUILD)/*/*/*/*.d $(FUZZ_BUILD)/*/*/*.d $(FUZZ_BUILD)/*/*.d)

bench: $(VMSIM)
	@sh scripts/deps.sh bench
	sh scripts/bench.sh $(VMSIM)

# The example policy plugins (examples/policies/README.md): built as students build
# theirs, with the header alone (no sanitizer: an ASan vmsim loads them as they are).
EXAMPLE_SO := $(patsubst examples/policies/%.c,$(BUILD)/examples/%.so,$(wildcard examples/policies/*.c))
.PHONY: examples
examples: $(EXAMPLE_SO)
$(BUILD)/examples/%.so: examples/policies/%.c include/vmsim/policy_plugin.h
	@mkdir -p $(@D)
	$(CC) -shared -fPIC -O2 -g $(WARN) -Werror -Iinclude -o $@ $<

clean:
	rm -rf build build-san build-fuzz

include mk/install.mk

-include $(CORE_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(UITEST_OBJ:.o=.d)

# INI files compiled in so vmsim runs them from anywhere: the built-in default scenario,
# and the textbook machine a page stream runs on. $(call embed,NAME) writes NAME_ini.
define embed
	@mkdir -p $(@D)
	@{ echo '/* Generated from $< by the Makefile. */'; \
	   echo 'const char $(1)_ini[] ='; \
	   sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/.*/    "&\\n"/' $<; \
	   echo '    ;'; } > $@
endef
$(BUILD)/gen/default_scenario.c: scenarios/default.ini
	$(call embed,default_scenario)
$(BUILD)/gen/textbook_config.c: configs/textbook.ini
	$(call embed,textbook_config)

$(BUILD)/gen/policy_plugin_h.c: include/vmsim/policy_plugin.h
	$(call embed,policy_plugin_h)

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(CFLAGS) -c $< -o $@
