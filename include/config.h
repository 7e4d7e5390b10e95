/*
 * config.h - build-time limits, usable from C and assembly.
 */
#ifndef RVMM_CONFIG_H
#define RVMM_CONFIG_H

#define MAX_HARTS 8 /* harts rvmm runs on; more are left down */

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ul << PAGE_SHIFT)

#endif
