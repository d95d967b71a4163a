/**
 * The seccomp filter of a Linux run without network: no Unix sockets. A network namespace of its
 * own keeps a run off the host's network, but a socket file inside a granted path (an SSH or
 * password-manager agent, Docker's socket) is reached by path, not through the network; without
 * this filter, "no network" would still let a tool ask an agent for the owner's keys. The filter
 * refuses to make an unconnected Unix socket: `socket(AF_UNIX)`, a datagram `socketpair` (a
 * datagram socket may still send to any path), and io_uring (which makes sockets without either
 * call); a stream or seqpacket pair, which can reach nobody outside, stays allowed. Pure: it is a
 * classic BPF program as bytes, which bubblewrap loads (`--seccomp FD`); no native code needed.
 */

/** An architecture's system call numbers this filter tests, and its audit identifier. */
interface SyscallTable {
  readonly audit: number;
  readonly socket: number;
  readonly socketpair: number;
  readonly ioUringSetup: number;
  /** The 32-bit multiplexer whose arguments a filter cannot read: refused outright. */
  readonly socketcall?: number;
  /** x32 system calls are x86-64's numbers with this bit set. */
  readonly x32Bit?: number;
}

const X86_64: SyscallTable = { audit: 0xc000003e, socket: 41, socketpair: 53, ioUringSetup: 425, x32Bit: 0x40000000 };
const I386: SyscallTable = { audit: 0x40000003, socket: 359, socketpair: 360, ioUringSetup: 425, socketcall: 102 };
const AARCH64: SyscallTable = { audit: 0xc00000b7, socket: 198, socketpair: 199, ioUringSetup: 425 };
const ARM: SyscallTable = { audit: 0x40000028, socket: 281, socketpair: 288, ioUringSetup: 425, socketcall: 102 };

/** Per Node architecture name: the native table first, then the 32-bit one the kernel also runs. */
const TABLES: Readonly<Record<string, readonly SyscallTable[]>> = { x64: [X86_64, I386], arm64: [AARCH64, ARM] };

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_TYPE_MASK = 0xf;
const EAFNOSUPPORT = 97;
const ENOSYS = 38;

// Classic BPF, as <linux/filter.h> and <linux/seccomp.h> define it.
const LD_ABS_W = 0x20;
const JEQ_K = 0x15;
const AND_K = 0x54;
const RET_K = 0x06;
const RET_ALLOW = 0x7fff0000;
const RET_ERRNO = 0x00050000;
// Offsets in struct seccomp_data; an argument's low 32 bits (what an int argument is) on little-endian.
const NR = 0;
const ARCH = 4;
const ARG0 = 16;
const ARG1 = 24;

type Op = { readonly code: number; readonly k: number; readonly jt?: string; readonly jf?: string } | { readonly label: string };

/**
 * The filter for the architecture Node reports (`x64`, `arm64`), or null where this module does
 * not know the system call numbers: the caller then says the run goes without it.
 */
export function unixSocketFilter(arch: string): Buffer | null {
  const tables = TABLES[arch];
  if (tables === undefined) return null;
  const ops: Op[] = [{ code: LD_ABS_W, k: ARCH }];
  tables.forEach((t, i) => ops.push({ code: JEQ_K, k: t.audit, jt: `abi${i}` }));
  // An ABI the filter does not know cannot be checked: nothing runs through it.
  ops.push({ code: RET_K, k: RET_ERRNO | ENOSYS });
  tables.forEach((t, i) => {
    ops.push({ label: `abi${i}` }, { code: LD_ABS_W, k: NR });
    if (t.x32Bit !== undefined) ops.push({ code: AND_K, k: ~t.x32Bit >>> 0 });
    ops.push({ code: JEQ_K, k: t.socket, jt: `socket${i}` }, { code: JEQ_K, k: t.socketpair, jt: `pair${i}` }, { code: JEQ_K, k: t.ioUringSetup, jt: 'nosys' });
    if (t.socketcall !== undefined) ops.push({ code: JEQ_K, k: t.socketcall, jt: 'refuse' });
    ops.push(
      { code: RET_K, k: RET_ALLOW },
      { label: `socket${i}` },
      { code: LD_ABS_W, k: ARG0 },
      { code: JEQ_K, k: AF_UNIX, jt: 'refuse' },
      { code: RET_K, k: RET_ALLOW },
      { label: `pair${i}` },
      { code: LD_ABS_W, k: ARG0 },
      { code: JEQ_K, k: AF_UNIX, jf: 'allow' },
      { code: LD_ABS_W, k: ARG1 },
      { code: AND_K, k: SOCK_TYPE_MASK },
      { code: JEQ_K, k: SOCK_DGRAM, jt: 'refuse' },
      { code: RET_K, k: RET_ALLOW },
    );
  });
  ops.push(
    { label: 'refuse' },
    { code: RET_K, k: RET_ERRNO | EAFNOSUPPORT },
    { label: 'nosys' },
    { code: RET_K, k: RET_ERRNO | ENOSYS },
    { label: 'allow' },
    { code: RET_K, k: RET_ALLOW },
  );
  return assemble(ops);
}

/** struct sock_filter[] (u16 code, u8 jt, u8 jf, u32 k, little-endian), jumps resolved from labels. */
function assemble(ops: readonly Op[]): Buffer {
  const at = new Map<string, number>();
  const code: Array<Exclude<Op, { label: string }>> = [];
  for (const op of ops) {
    if ('label' in op) at.set(op.label, code.length);
    else code.push(op);
  }
  const out = Buffer.alloc(code.length * 8);
  code.forEach((op, i) => {
    // Jumps go forward only, by at most 255 instructions: this program is far shorter.
    const offset = (label: string | undefined) => (label === undefined ? 0 : at.get(label)! - i - 1);
    out.writeUInt16LE(op.code, i * 8);
    out.writeUInt8(offset(op.jt), i * 8 + 2);
    out.writeUInt8(offset(op.jf), i * 8 + 3);
    out.writeUInt32LE(op.k >>> 0, i * 8 + 4);
  });
  return out;
}
