# ngx_http_oiosaml_module: build, demo and tests.
#
#   make            build the nginx modules, the library and oiosamlctl
#   make demo       build, make demo keys, start the demo on :8443
#   make test       build and run every test
#   make check-asan the unit tests and the nginx tests under ASan/UBSan
#   make check-valgrind  the unit tests and some nginx tests under valgrind
#   make bench      benchmarks (see bench/README.md)
#   make fuzz       run the fuzzers for FUZZ_SECONDS each
#   make deb        the Debian packages in build/deb (docs/packaging.md)
#   make test-deb   build them, lintian, install into a throwaway Debian 12
#                   root, log in through the stock nginx, purge

SHELL := /bin/bash
ROOT := $(CURDIR)
BUILD := $(ROOT)/build
NGX_SRC ?= /usr/share/nginx/src

PKGS := lasso xmlsec1-openssl libxml-2.0 openssl zlib glib-2.0 gobject-2.0

# evaluated late, after 'deps' has installed pkg-config and the libraries
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))

CC ?= gcc
WARN := -Wall -Wextra -Wno-unused-parameter -Wpointer-arith -Werror
LIB_CFLAGS = -std=c11 -D_GNU_SOURCE -O2 -g -fPIC $(WARN) \
             -Ilib/include $(PKG_CFLAGS) $(EXTRA_CFLAGS)

LIB_SRCS := $(sort $(wildcard lib/*.c))
LIB_HDRS := $(wildcard lib/*.h lib/include/*.h)
LIB_OBJS := $(patsubst lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRCS))
MOD_SRCS := $(sort $(wildcard module/*.c))
MOD_HDRS := $(wildcard module/*.h)
IDP_SRCS := $(sort $(wildcard tests/idp/*.c))
IDP_HDRS := $(wildcard tests/idp/*.h)

MODULE := $(BUILD)/nginx/objs/ngx_http_oiosaml_module.so
TESTIDP := $(BUILD)/nginx/objs/ngx_http_oiosaml_testidp_module.so
LIBA := $(BUILD)/lib/liboiosaml.a
CTL := $(BUILD)/oiosamlctl
CTLMAN := $(BUILD)/oiosamlctl.1

# the step that installs the Debian packages the build needs; the package
# build (debian/rules) has its Build-Depends and sets DEPS= to skip it
DEPS ?= $(BUILD)/.deps

NGX_CC_OPT := -g -O2 -fstack-protector-strong -Wformat \
              -Werror=format-security -fPIC -D_FORTIFY_SOURCE=2
NGX_LD_OPT := -Wl,-z,relro -Wl,-z,now -fPIC

.PHONY: all build deps demo demo-stop test check-asan check-valgrind \
        bench fuzz clean style ctl deb test-deb

all: build

deps: $(BUILD)/.deps

$(BUILD)/.deps: tools/install-deps.sh
	@mkdir -p $(BUILD)
	tools/install-deps.sh
	@touch $@

build: $(MODULE) $(TESTIDP) $(LIBA) $(CTL)

# ---- the library, on its own (unit tests, fuzzing, oiosamlctl) ----------

$(BUILD)/lib/%.o: lib/%.c $(LIB_HDRS) | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) -c $< -o $@

$(LIBA): $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

# oiosamlctl alone links libcurl (metadata fetch); the nginx module never
CURL_CFLAGS = $(shell pkg-config --cflags libcurl)
CURL_LIBS = $(shell pkg-config --libs libcurl)

$(CTL): $(wildcard tools/*.c) $(wildcard tools/*.h) $(LIBA)
	$(CC) $(LIB_CFLAGS) $(CURL_CFLAGS) $(LDFLAGS) \
	    $(sort $(wildcard tools/*.c)) $(LIBA) $(PKG_LIBS) $(CURL_LIBS) -o $@

# oiosamlctl(1), made from "oiosamlctl --help" (the one manual)
$(CTLMAN): $(CTL) tools/man-from-help
	$(CTL) --help | tools/man-from-help oiosamlctl 1 > $@.new
	mv $@.new $@

ctl: $(CTL) $(CTLMAN)

# ---- the nginx modules, against Debian's nginx-dev ----------------------

# reconfigure only when the list of sources (not their contents) changes
$(BUILD)/srclist: FORCE | $(DEPS)
	@mkdir -p $(BUILD)
	@echo $(LIB_SRCS) $(MOD_SRCS) $(IDP_SRCS) $(LIB_HDRS) $(MOD_HDRS) \
	    $(IDP_HDRS) > $@.new
	@cmp -s $@.new $@ || mv $@.new $@
	@rm -f $@.new

$(BUILD)/nginx/Makefile: config tests/idp/config $(BUILD)/srclist
	rm -rf $(BUILD)/nginx
	cp -r $(NGX_SRC) $(BUILD)/nginx
	cd $(BUILD)/nginx && . ./conf_flags \
	    && ./configure "$${NGX_CONF_FLAGS[@]}" \
	       --with-cc-opt="$(NGX_CC_OPT) $(EXTRA_CFLAGS)" \
	       --with-ld-opt="$(NGX_LD_OPT) $(EXTRA_LDFLAGS)" \
	       --add-dynamic-module=$(ROOT) \
	       --add-dynamic-module=$(ROOT)/tests/idp > configure.log \
	    || { tail -20 configure.log; exit 1; }

$(MODULE) $(TESTIDP) &: $(BUILD)/nginx/Makefile $(LIB_SRCS) $(LIB_HDRS) \
                      $(MOD_SRCS) $(MOD_HDRS) $(IDP_SRCS) $(IDP_HDRS)
	$(MAKE) -C $(BUILD)/nginx -f objs/Makefile modules

FORCE:

# ---- demo ----------------------------------------------------------------

demo: build
	tools/demo.sh start

demo-stop:
	tools/demo.sh stop

# ---- tests ---------------------------------------------------------------

test: build
	tests/run

check-asan: | $(DEPS)
	tests/run-asan

check-valgrind: build
	tests/run-valgrind

bench: build
	tools/install-deps.sh bench
	bench/run

fuzz: | $(DEPS)
	tests/fuzz/run $(FUZZ_SECONDS)

style:
	tests/style/check

# ---- Debian packages (docs/packaging.md) ---------------------------------

deb:
	tools/install-deps.sh deb
	tools/deb/build

test-deb: deb
	tests/deb/run

clean:
	rm -rf $(BUILD)
