# lkproto.mk - vendoring fragment: compile libattrs and the generated code of
# this tree straight from a copy of it, inside your own Makefile.
#
#   LKPROTO_DIR := third_party/lkproto          # where the copy is (optional:
#   include $(LKPROTO_DIR)/lkproto.mk           #  defaults to this file's folder)
#
#   app: app.c $(LKPROTO_LKATTRS_SRC) $(LKPROTO_PBC_SRC)
#   	$(CC) $(CFLAGS) $(LKPROTO_LKATTRS_CFLAGS) $(LKPROTO_PBC_CFLAGS) $^ -o $@ $(LKPROTO_PBC_LIBS)
#
# It only defines variables, all named LKPROTO_* (no rules, unless you ask for
# the regeneration rule below), so it never interferes with your build; an
# include guard makes a second include harmless.  Add the sources to your own object lists
# and compile them with your own flags.
#
#   LKPROTO_LKATTRS_SRC   libattrs core sources (no dependency; plain C11)
#   LKPROTO_LKATTRS_CFLAGS   -I for <lkattrs/lkattrs.h>
#   LKPROTO_PBC_SRC       the protobuf-c code of the schema
#   LKPROTO_PBC_CFLAGS    -I for "livekit_*.pb-c.h"    LKPROTO_PBC_LIBS  -lprotobuf-c
#   LKPROTO_NPB_SRC       the nanopb code of the schema (no malloc)
#   LKPROTO_NPB_CFLAGS    -I for "livekit_*.pb.h"      LKPROTO_NPB_LIBS  -lprotobuf-nanopb
#   LKPROTO_LKATTRS_PROTOBUFC_SRC, LKPROTO_LKATTRS_NANOPB_SRC   libattrs' adapters
#                         (they need the PBC or NPB flags above)
#   LKPROTO_LKTOKEN_SRC   liblktoken sources (access tokens; with the libattrs core)
#   LKPROTO_LKTOKEN_CFLAGS   -I for <lktoken/token.h> and <lkattrs/...>
#   LKPROTO_LKTOKEN_LIBS  -ljansson -lcrypto
#   LKPROTO_LKJSON_SRC    liblkjson sources (binary <-> JSON; with LKPROTO_PBC_SRC)
#   LKPROTO_LKJSON_CFLAGS    -I for <lkjson/json.h>   LKPROTO_LKJSON_LIBS  -ljansson -lprotobuf-c -lm
#   LKPROTO_LKJSON_GEN_TYPES  the script that writes liblkjson's type table, one
#                         more source to compile (with LKPROTO_LKJSON_TYPES_CFLAGS
#                         and LKPROTO_PBC_CFLAGS), from the protobuf-c code:
#                         bash $(LKPROTO_LKJSON_GEN_TYPES) $(LKPROTO_GENERATED)/protobuf-c > types.c
#   LKPROTO_VERSION       the release version (from lkattrs/version.h)
#
# Your own generated code (other generator versions, your own nanopb
# .options): set LKPROTO_GENERATED to a folder of your build before the
# include, and LKPROTO_REGENERATE := 1 to get a rule that writes it with
# tools/generate.sh; the variables LKPROTO_OPTIONS_DIR, LKPROTO_NO_PIN and
# LKPROTO_GENERATORS are passed on to it (see tools/generate.sh).  Make your
# objects that include generated headers depend on $(LKPROTO_GENERATED_STAMP)
# (order-only is enough).
ifndef LKPROTO_VENDOR_MK_INCLUDED
LKPROTO_VENDOR_MK_INCLUDED := 1

# Simply expanded, so that a later use (a recipe, a $(call LKPROTO_LIST,...)
# from another file) still names this folder.
ifndef LKPROTO_DIR
LKPROTO_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
endif
LKPROTO_VERSION := $(shell sed -n 's/^\#define LKATTRS_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$$/\2/p' \
  $(LKPROTO_DIR)/libattrs/include/lkattrs/version.h | paste -sd.)

# The sources, include folders and libraries: from the one list of each
# library, libattrs/sources.list, libtoken/sources.list and
# libproto/sources.list (the top-level Makefile and CMakeLists.txt read them
# too).
# $(call LKPROTO_LIST,LIBRARY,KIND): the PATHs of the lines "KIND PATH".
LKPROTO_LIST = $(shell sed -n 's/^$(2)[[:space:]]\{1,\}\([^[:space:]\#]\{1,\}\)[[:space:]]*$$/\1/p' \
  $(LKPROTO_DIR)/$(1)/sources.list 2>/dev/null)
LKPROTO_LIST_PATHS = $(addprefix $(LKPROTO_DIR)/,$(call LKPROTO_LIST,$(1),$(2)))

# The generated code: the folder libproto/sources.list names, unless yours.
LKPROTO_GENERATED ?= $(LKPROTO_DIR)/$(or $(call LKPROTO_LIST,libproto,generated),generated)

# libattrs: the core (one folder per layer under src/); the adapters apart.
LKPROTO_LKATTRS_SRC := $(call LKPROTO_LIST_PATHS,libattrs,src)
LKPROTO_LKATTRS_CFLAGS := $(addprefix -I,$(call LKPROTO_LIST_PATHS,libattrs,include))
LKPROTO_LKATTRS_PROTOBUFC_SRC := $(call LKPROTO_LIST_PATHS,libattrs,protobufc)
LKPROTO_LKATTRS_NANOPB_SRC := $(call LKPROTO_LIST_PATHS,libattrs,nanopb)

# liblktoken: LiveKit access tokens (HS256 JWT), on top of the libattrs core;
# needs jansson and OpenSSL libcrypto.
LKPROTO_LKTOKEN_SRC := $(call LKPROTO_LIST_PATHS,libtoken,src)
LKPROTO_LKTOKEN_CFLAGS := $(addprefix -I,$(call LKPROTO_LIST_PATHS,libtoken,include)) $(LKPROTO_LKATTRS_CFLAGS)
LKPROTO_LKTOKEN_LIBS := $(call LKPROTO_LIST,libtoken,lib)

# liblkjson: binary <-> JSON, on the protobuf-c code of the schema; needs
# jansson, and its type table written from that code (LKPROTO_LKJSON_GEN_TYPES).
LKPROTO_LKJSON_SRC := $(call LKPROTO_LIST_PATHS,libjson,src)
LKPROTO_LKJSON_CFLAGS := $(addprefix -I,$(call LKPROTO_LIST_PATHS,libjson,include))
LKPROTO_LKJSON_LIBS := $(call LKPROTO_LIST,libjson,lib)
LKPROTO_LKJSON_GEN_TYPES := $(LKPROTO_DIR)/libjson/gen-types.sh
LKPROTO_LKJSON_TYPES_CFLAGS := $(LKPROTO_LKJSON_CFLAGS) $(addprefix -I,$(call LKPROTO_LIST_PATHS,libjson,private))

# The generated files, named from the schema by tools/generate.sh --list (so
# the lists are right before a regeneration has written them).
LKPROTO_GEN_FILES := $(shell bash $(LKPROTO_DIR)/tools/generate.sh --list)
LKPROTO_PBC_SRC := $(addprefix $(LKPROTO_GENERATED)/protobuf-c/,$(addsuffix .pb-c.c,$(LKPROTO_GEN_FILES)))
LKPROTO_NPB_SRC := $(addprefix $(LKPROTO_GENERATED)/nanopb/,$(addsuffix .pb.c,$(LKPROTO_GEN_FILES)))
LKPROTO_PBC_CFLAGS := -I$(LKPROTO_GENERATED)/protobuf-c
LKPROTO_NPB_CFLAGS := -I$(LKPROTO_GENERATED)/nanopb
LKPROTO_PBC_LIBS := $(call LKPROTO_LIST,libproto,pbc-lib)
LKPROTO_NPB_LIBS := $(call LKPROTO_LIST,libproto,npb-lib)

ifeq ($(LKPROTO_REGENERATE),1)
# (The rule below must not become your default goal.)
LKPROTO_SAVED_GOAL := $(.DEFAULT_GOAL)
LKPROTO_GENERATED_STAMP := $(LKPROTO_GENERATED)/.lkproto-generated
$(LKPROTO_GENERATED_STAMP): $(shell find $(LKPROTO_DIR)/protobufs -name '*.proto') \
    $(wildcard $(LKPROTO_OPTIONS_DIR)/*.options) $(LKPROTO_DIR)/tools/generate.sh
	LKPROTO_OPTIONS_DIR="$(LKPROTO_OPTIONS_DIR)" LKPROTO_NO_PIN="$(LKPROTO_NO_PIN)" \
	  LKPROTO_GENERATORS="$(or $(LKPROTO_GENERATORS),protobuf-c nanopb)" \
	  bash $(LKPROTO_DIR)/tools/generate.sh $(LKPROTO_GENERATED)
	@touch $@
$(LKPROTO_PBC_SRC) $(LKPROTO_NPB_SRC): $(LKPROTO_GENERATED_STAMP) ;
.DEFAULT_GOAL := $(LKPROTO_SAVED_GOAL)
endif

endif
