# libattrs/libattrs.mk - extra targets of the libattrs core, included by the
# top-level Makefile.  Include guard: safe to include twice (vendoring).
ifndef LKATTRS_MK_INCLUDED
LKATTRS_MK_INCLUDED := 1

##@ libattrs
## size: flash used by the libattrs core on Cortex-M4 (-Os, no malloc, no error strings); needs gcc-arm-none-eabi
size:
	@bash tools/setup.sh --with-size >/dev/null
	@bash tools/size.sh $(BUILD)

.PHONY: size
endif
