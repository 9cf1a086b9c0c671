// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart, x86_64: the vDSO of a restored task.
 *
 * The vDSO is not saved: the running kernel's own is mapped where the
 * image had one, since the task's C library keeps pointers into it. That
 * is only right for a vDSO of the same layout, so an image whose vDSO
 * and data pages are not exactly the size and place this kernel's would
 * take is refused.
 */
#include <linux/ckpt.h>
#include <linux/elf.h>
#include <linux/mm_types.h>
#include <linux/mmu_context.h>
#include <asm/vdso.h>

/**
 * cr_arch_note_vdso() - note the vDSO record just read
 * @r: restart state
 * @vd: where the image's vDSO is, noted so far
 * @hv: a checked VMA record of type %CR_VMA_VVAR or %CR_VMA_VDSO
 *
 * Return: 0, -EINVAL for a second vDSO, or -EOPNOTSUPP (logged) for a
 * vDSO this kernel cannot map in its place.
 */
int cr_arch_note_vdso(struct cr_rst *r, struct cr_vdso *vd,
		      const struct cr_hdr_vma *hv)
{
	const struct vdso_image *image = &vdso_image_64;
	bool vvar = hv->type == CR_VMA_VVAR;
	u64 *start = vvar ? &vd->vvar : &vd->vdso;
	u64 size = vvar ? -image->sym_vvar_start : image->size;

	if (*start)
		return cr_bad(r, "a second vDSO");
	if (!vdso64_enabled || hv->end - hv->start != size)
		return cr_refuse(r, -EOPNOTSUPP,
				 "the image's vDSO (%#llx-%#llx) does not match this kernel's",
				 hv->start, hv->end);
	*start = hv->start;
	return 0;
}

/**
 * cr_arch_check_vdso() - check the vDSO records of the whole image
 * @r: restart state, after the last VMA record
 * @vd: where the image's vDSO is
 *
 * Return: 0 when the image has no vDSO or the text right after its data
 * pages, as map_vdso() lays them out; -EINVAL otherwise.
 */
int cr_arch_check_vdso(struct cr_rst *r, const struct cr_vdso *vd)
{
	if (!vd->vvar && !vd->vdso)
		return 0;
	if (!vd->vvar || vd->vdso != vd->vvar - vdso_image_64.sym_vvar_start)
		return cr_bad(r, "vDSO text and data pages are apart");
	return 0;
}

/**
 * cr_arch_map_vdso() - map this kernel's vDSO where the image had one
 * @mm: the new mm, before the switch to it
 * @vd: where the image had the vDSO
 *
 * The range is free: the image's VMAs did not overlap it. Mapping it
 * before the switch (map_vdso_fixed(), patch 0010) lets a failure here
 * leave the caller as it was.
 *
 * Return: 0, or -ENOMEM or -EINTR (fatal signal).
 */
int cr_arch_map_vdso(struct mm_struct *mm, const struct cr_vdso *vd)
{
	if (!vd->vvar)
		return 0;
	return map_vdso_fixed(mm, &vdso_image_64, vd->vvar);
}
