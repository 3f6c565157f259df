//! `args_*` and `environ_*`: NUL-terminated strings and their pointers.

use super::WasiP1Ctx;
use super::bindings::types::{Errno, Error, Size};
use wiggle::{GuestMemory, GuestPtr};

/// Writes each string, NUL-terminated, one after the other from `buf`,
/// and a pointer to each into the array at `ptrs`.
fn write_strings<'a>(
    mem: &mut GuestMemory<'_>,
    items: impl Iterator<Item = &'a [&'a [u8]]>,
    ptrs: GuestPtr<GuestPtr<u8>>,
    buf: GuestPtr<u8>,
) -> Result<(), Error> {
    let mut at = buf;
    for (i, parts) in items.enumerate() {
        let slot = ptrs.add(u32::try_from(i).map_err(|_| Errno::Overflow)?)?;
        mem.write(slot, at)?;
        for part in parts {
            let len = u32::try_from(part.len()).map_err(|_| Errno::Overflow)?;
            mem.copy_from_slice(part, at.as_array(len))?;
            at = at.add(len)?;
        }
        mem.write(at, 0u8)?;
        at = at.add(1)?;
    }
    Ok(())
}

/// The count and total size (with NULs) of strings made of `parts`.
fn sizes<'a>(items: impl Iterator<Item = &'a [&'a [u8]]>) -> Result<(Size, Size), Error> {
    let mut count = 0u32;
    let mut bytes = 0u32;
    for parts in items {
        count = count.checked_add(1).ok_or(Errno::Overflow)?;
        let len: usize = parts.iter().map(|p| p.len()).sum::<usize>() + 1;
        let len = u32::try_from(len).map_err(|_| Errno::Overflow)?;
        bytes = bytes.checked_add(len).ok_or(Errno::Overflow)?;
    }
    Ok((count, bytes))
}

pub(crate) fn args_get(
    cx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    argv: GuestPtr<GuestPtr<u8>>,
    buf: GuestPtr<u8>,
) -> Result<(), Error> {
    let args: Vec<[&[u8]; 1]> = cx.ctx.cli.args.iter().map(|a| [a.as_bytes()]).collect();
    write_strings(mem, args.iter().map(|a| &a[..]), argv, buf)
}

pub(crate) fn args_sizes_get(cx: &mut WasiP1Ctx) -> Result<(Size, Size), Error> {
    let args: Vec<[&[u8]; 1]> = cx.ctx.cli.args.iter().map(|a| [a.as_bytes()]).collect();
    sizes(args.iter().map(|a| &a[..]))
}

pub(crate) fn environ_get(
    cx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    environ: GuestPtr<GuestPtr<u8>>,
    buf: GuestPtr<u8>,
) -> Result<(), Error> {
    let env: Vec<[&[u8]; 3]> = cx
        .ctx
        .cli
        .env
        .iter()
        .map(|(k, v)| [k.as_bytes(), b"=", v.as_bytes()])
        .collect();
    write_strings(mem, env.iter().map(|e| &e[..]), environ, buf)
}

pub(crate) fn environ_sizes_get(cx: &mut WasiP1Ctx) -> Result<(Size, Size), Error> {
    let env: Vec<[&[u8]; 3]> = cx
        .ctx
        .cli
        .env
        .iter()
        .map(|(k, v)| [k.as_bytes(), b"=", v.as_bytes()])
        .collect();
    sizes(env.iter().map(|e| &e[..]))
}
