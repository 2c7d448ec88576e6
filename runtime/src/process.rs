//! Processes: `clone` for fork and vfork, `execve`, `wait4`/`waitid`,
//! signals to other processes, `rt_sigsuspend`.
//!
//! zarm runs one guest thread on one host thread, so a fork is a host
//! `fork()`: the child gets copies of the guest memory, the CPU state and
//! the translated code (all private mappings), and shares what the guest
//! shares (MAP_SHARED mappings, file descriptors). vfork is a fork, as in
//! qemu-user (the parent does not wait for the child's exec).
//!
//! `execve` of an aarch64 program (directly or through a `#!` line whose
//! interpreter is one) replaces the guest inside this zarm process, with
//! the same options: no binfmt_misc registration is needed, and it works
//! where zarm itself runs under an emulator. Descriptors marked close-on-
//! exec are closed, caught signals revert to their default action. Any
//! other program (a host binary, a host script) is run with the host's
//! `execve`.

use crate::signal;
use crate::syscall::{errno, neg, After, Process};
use std::ffi::CString;
use std::path::{Path, PathBuf};
use zarm_ir::CpuState;

pub(crate) const CLONE_VM: u64 = 0x100;
const CLONE_VFORK: u64 = 0x4000;
pub(crate) const CLONE_SETTLS: u64 = 0x8_0000;
pub(crate) const CLONE_PARENT_SETTID: u64 = 0x10_0000;
pub(crate) const CLONE_CHILD_CLEARTID: u64 = 0x20_0000;
pub(crate) const CLONE_CHILD_SETTID: u64 = 0x100_0000;
const CSIGNAL: u64 = 0xff;


/// A new program for this process (`execve` of an aarch64 binary).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecImage {
    /// Where the program is on the host (sysroot resolved).
    pub host_path: PathBuf,
    /// The path the guest gave (AT_EXECFN).
    pub guest_path: Vec<u8>,
    pub argv: Vec<Vec<u8>>,
    pub envp: Vec<Vec<u8>>,
    /// Signal state that survives exec: the mask, pending signals and the
    /// ignored dispositions (bit sig - 1).
    pub sigmask: u64,
    pub pending: u64,
    pub ignored: u64,
}

/// `name` as the shell finds a command: itself if it has a slash, else the
/// first executable file of that name in zarm's own PATH.
fn find_in_path(name: &[u8]) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::OsStr::from_bytes(name);
    if name.as_bytes().contains(&b'/') {
        return Some(PathBuf::from(name));
    }
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(name)).find(|p| p.is_file())
}

/// What a path holds, for execve.
enum Kind {
    Aarch64Elf,
    /// `#!interp [arg]`
    Script(Vec<u8>, Option<Vec<u8>>),
    Other,
}

/// Reads the start of an executable file: the kernel's first checks.
fn classify(host: &Path) -> Result<Kind, i32> {
    use std::io::Read;
    let c = CString::new(host.as_os_str().as_encoded_bytes()).map_err(|_| libc::ENOENT)?;
    let md = std::fs::metadata(host).map_err(|e| e.raw_os_error().unwrap_or(libc::ENOENT))?;
    // SAFETY: c is a valid C string.
    if md.is_dir() || unsafe { libc::access(c.as_ptr(), libc::X_OK) } != 0 {
        return Err(libc::EACCES);
    }
    let mut head = Vec::with_capacity(256);
    std::fs::File::open(host).and_then(|f| f.take(256).read_to_end(&mut head)).map_err(|e| e.raw_os_error().unwrap_or(libc::EIO))?;
    if head.len() >= 20 && head.starts_with(b"\x7fELF") {
        // ELFCLASS64, little-endian, e_machine EM_AARCH64 (183).
        let aarch64 = head[4] == 2 && head[5] == 1 && u16::from_le_bytes([head[18], head[19]]) == 183;
        return Ok(if aarch64 { Kind::Aarch64Elf } else { Kind::Other });
    }
    if let Some(rest) = head.strip_prefix(b"#!") {
        let line = rest.split(|&b| b == b'\n').next().unwrap_or(&[]);
        let line: Vec<u8> = line.iter().copied().skip_while(|b| *b == b' ' || *b == b'\t').collect();
        let end = line.iter().position(|b| *b == b' ' || *b == b'\t').unwrap_or(line.len());
        let interp = line[..end].to_vec();
        let arg: Vec<u8> = line[end..].iter().copied().skip_while(|b| *b == b' ' || *b == b'\t').collect();
        let arg = arg.iter().rposition(|b| *b != b' ' && *b != b'\t').map(|e| arg[..=e].to_vec());
        if interp.is_empty() {
            return Err(libc::ENOEXEC);
        }
        return Ok(Kind::Script(interp, arg));
    }
    Ok(Kind::Other)
}

impl Process {
    /// The host path of a guest path given to execve or open:
    /// `/proc/self/exe` is the guest program, absolute paths are looked up
    /// in the sysroot first.
    pub fn host_path_of(&self, guest: &[u8]) -> PathBuf {
        if guest == b"/proc/self/exe" {
            return self.exe.clone();
        }
        crate::resolve_in_sysroot(guest, self.sysroot.as_deref())
    }

    /// A NULL-terminated array of guest string pointers.
    fn string_array(&self, mut addr: u64) -> Result<Vec<Vec<u8>>, i64> {
        let mut v = Vec::new();
        if addr == 0 {
            return Ok(v);
        }
        let mut total = 0usize;
        loop {
            let p = self.space.read_u64(addr).ok_or(neg(libc::EFAULT))?;
            if p == 0 {
                return Ok(v);
            }
            let s = self.space.read_cstr(p, 128 << 10).ok_or(neg(libc::EFAULT))?;
            total += s.len() + 9;
            if total > 2 << 20 || v.len() > 1 << 17 {
                return Err(neg(libc::E2BIG));
            }
            v.push(s);
            addr += 8;
        }
    }

    /// `clone` without CLONE_VM (fork) or with CLONE_VM|CLONE_VFORK (vfork,
    /// run as a fork). Threads are refused with EINVAL (not implemented).
    pub fn clone(&mut self, cpu: &mut CpuState, flags: u64, stack: u64, ptid: u64, tls: u64, ctid: u64) -> i64 {
        let known = CSIGNAL | CLONE_VM | CLONE_VFORK | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID;
        let exit_signal = (flags & CSIGNAL) as i32;
        if flags & !known != 0 || (flags & CLONE_VM != 0 && flags & CLONE_VFORK == 0) || (exit_signal != 0 && exit_signal != libc::SIGCHLD) {
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| eprintln!("zarm: clone with flags {flags:#x} is not supported (guest threads are not implemented yet); returning EINVAL"));
            return neg(libc::EINVAL);
        }
        // The tier's compile threads end first (see stop_tier_threads).
        crate::jit::stop_tier_threads();
        // SAFETY: fork itself has no memory-safety preconditions. The child
        // holds only this thread; the other guest threads' bookkeeping is
        // reset below (a lock one of them held at this moment would stay
        // held in the child).
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return errno();
        }
        if pid > 0 {
            if flags & CLONE_PARENT_SETTID != 0 && self.space.write_bytes(ptid, &(pid as u32).to_le_bytes()).is_none() {
                return neg(libc::EFAULT);
            }
            return pid as i64;
        }
        // The child: only this thread exists in it.
        // SAFETY: gettid cannot fail.
        let tid = unsafe { libc::gettid() };
        // A fresh entry: the kernel clears a new task's robust list too
        // (futex_init_task); glibc's fork registers the child's again.
        self.me = std::sync::Arc::new(crate::threads::ThreadEntry::new(tid));
        self.threads.reset_to(std::sync::Arc::clone(&self.me), crate::threads::is_leader_thread());
        crate::threads::forget_requeue_pi_waiters();
        // The other guest threads' system calls do not go on in the child:
        // their buffers are unpinned (this one pinned nothing for fork).
        self.space.unpin_all_for_kernel();
        if stack != 0 {
            cpu.x[31] = stack;
        }
        if flags & CLONE_SETTLS != 0 {
            cpu.tpidr = tls;
        }
        if flags & CLONE_CHILD_SETTID != 0 {
            let _ = self.space.write_bytes(ctid, &(tid as u32).to_le_bytes());
        }
        if flags & CLONE_CHILD_CLEARTID != 0 {
            self.tid_address = ctid;
        }
        // Timers are not inherited; pending signals neither.
        self.signals.pending = 0;
        0
    }

    /// `execve`: `Err(After::Exec)` when the guest is replaced by another
    /// aarch64 program; a host program replaces zarm itself.
    pub fn execve(&mut self, path: u64, argv: u64, envp: u64) -> Result<i64, After> {
        let Some(guest) = self.space.read_cstr(path, 4096) else { return Ok(neg(libc::EFAULT)) };
        let argv = match self.string_array(argv) {
            Ok(v) => v,
            Err(e) => return Ok(e),
        };
        let envp = match self.string_array(envp) {
            Ok(v) => v,
            Err(e) => return Ok(e),
        };
        let host = self.host_path_of(&guest);
        let (host, argv) = match classify(&host) {
            Err(e) => return Ok(neg(e)),
            Ok(Kind::Aarch64Elf) => (host, argv),
            Ok(Kind::Other) => return Ok(self.host_execve(&host, &argv, &envp)),
            Ok(Kind::Script(interp, arg)) => {
                let ihost = self.host_path_of(&interp);
                match classify(&ihost) {
                    Ok(Kind::Aarch64Elf) => {
                        // argv: interpreter, its argument, the script, then
                        // the script's arguments after argv[0].
                        let mut a = vec![interp.clone()];
                        a.extend(arg);
                        a.push(guest.clone());
                        a.extend(argv.into_iter().skip(1));
                        let img = self.exec_image(ihost, interp, a, envp);
                        return self.replace_image(img);
                    }
                    Ok(Kind::Script(..)) => return Ok(neg(libc::ELOOP)),
                    // A host interpreter runs the script itself.
                    Ok(Kind::Other) => return Ok(self.host_execve(&host, &argv, &envp)),
                    Err(e) => return Ok(neg(if e == libc::EACCES { e } else { libc::ENOENT })),
                }
            }
        };
        let img = self.exec_image(host, guest, argv, envp);
        self.replace_image(img)
    }

    /// Replaces the guest with the exec'd aarch64 image. One thread (the
    /// first): in this zarm process. Several threads: Linux ends all the
    /// others, which only the host kernel can do for zarm's host threads,
    /// so zarm execs itself (same options, the image's signal state on
    /// the command line); returns only on failure.
    fn replace_image(&mut self, img: After) -> Result<i64, After> {
        if self.threads.live() <= 1 && crate::threads::is_leader_thread() {
            // The image is replaced now: the robust futexes it holds go
            // to the next locker (Linux walks the list at exec).
            self.exit_robust_list();
            return Err(img);
        }
        let After::Exec(img) = img else { return Err(img) };
        let Ok(exe) = std::env::current_exe() else { return Ok(neg(libc::ENOEXEC)) };
        // Under an emulator (qemu-s390x on a test host) the new zarm runs
        // under it too.
        let prefix: Vec<Vec<u8>> = std::env::var_os("ZARM_REEXEC_PREFIX")
            .map(|p| p.as_encoded_bytes().split(|b| b.is_ascii_whitespace()).filter(|w| !w.is_empty()).map(<[u8]>::to_vec).collect())
            .unwrap_or_default();
        let mut args = prefix.clone();
        args.push(exe.as_os_str().as_encoded_bytes().to_vec());
        args.extend(self.threads.opts.to_args());
        args.push(format!("--exec-state={:x},{:x},{:x}", img.sigmask, img.pending, img.ignored).into_bytes());
        let arg = |flag: &str, v: &[u8]| {
            let mut a = flag.as_bytes().to_vec();
            a.extend_from_slice(v);
            a
        };
        args.push(arg("--exec-argv0=", img.argv.first().map_or(&[][..], |a| a)));
        args.push(arg("--exec-execfn=", &img.guest_path));
        args.push(b"--".to_vec());
        args.push(img.host_path.as_os_str().as_encoded_bytes().to_vec());
        args.extend(img.argv.iter().skip(1).cloned());
        let mut envp = img.envp.clone();
        if let Some(p) = std::env::var_os("ZARM_REEXEC_PREFIX") {
            envp.push(arg("ZARM_REEXEC_PREFIX=", p.as_encoded_bytes()));
        }
        let program = match prefix.first() {
            None => exe,
            Some(p) => match find_in_path(p) {
                Some(found) => found,
                None => return Ok(neg(libc::ENOENT)),
            },
        };
        Ok(self.host_execve(&program, &args, &envp))
    }

    fn exec_image(&mut self, host_path: PathBuf, guest_path: Vec<u8>, argv: Vec<Vec<u8>>, envp: Vec<Vec<u8>>) -> After {
        let mut ignored = 0u64;
        for sig in 1..=64 {
            let handler = self.action(sig)[0];
            if handler == 1 {
                ignored |= 1u64 << (sig - 1);
            } else if handler != 0 {
                signal::mirror_disposition(sig as i32, 0);
            }
        }
        let host = signal::take_host_pending();
        self.absorb_host(host);
        After::Exec(Box::new(ExecImage { host_path, guest_path, argv, envp, sigmask: self.sigmask, pending: self.signals.pending, ignored }))
    }

    /// Runs a host program in place of zarm; returns only on failure.
    fn host_execve(&mut self, host: &Path, argv: &[Vec<u8>], envp: &[Vec<u8>]) -> i64 {
        let cs = |v: &[Vec<u8>]| -> Option<Vec<CString>> { v.iter().map(|s| CString::new(s.clone()).ok()).collect() };
        let (Some(a), Some(e), Ok(p)) = (cs(argv), cs(envp), CString::new(host.as_os_str().as_encoded_bytes())) else {
            return neg(libc::EINVAL);
        };
        let mut ap: Vec<*const libc::c_char> = a.iter().map(|s| s.as_ptr()).collect();
        ap.push(std::ptr::null());
        let mut ep: Vec<*const libc::c_char> = e.iter().map(|s| s.as_ptr()).collect();
        ep.push(std::ptr::null());
        // The new program starts with the guest's signal mask.
        // SAFETY: valid NULL-terminated arrays of C strings.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for sig in 1..=64 {
                if self.sigmask & (1u64 << (sig - 1)) != 0 {
                    libc::sigaddset(&mut set, sig);
                }
            }
            let mut old: libc::sigset_t = std::mem::zeroed();
            libc::sigprocmask(libc::SIG_SETMASK, &set, &mut old);
            // As Linux at exec, the robust lists are walked: the calling
            // thread's, and those of the other threads the exec ends (the
            // guest's lists are zarm's, unknown to the host kernel). Only
            // a failing host execve differs: the lists are gone then.
            self.exit_group_robust_lists();
            libc::execve(p.as_ptr(), ap.as_ptr(), ep.as_ptr());
            let e = errno();
            libc::sigprocmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
            e
        }
    }

    /// `wait4(pid, status, options, rusage)`.
    pub fn wait4(&mut self, pid: u64, status: u64, options: u64, rusage: u64) -> i64 {
        let mut st = 0i32;
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: valid out-pointers.
        let r = unsafe { libc::wait4(pid as i32, &mut st, options as i32, &mut ru) };
        if r < 0 {
            return errno();
        }
        if r > 0 && status != 0 && self.space.write_bytes(status, &st.to_le_bytes()).is_none() {
            return neg(libc::EFAULT);
        }
        if rusage != 0 && self.space.write_bytes(rusage, &rusage_to_guest(&ru)).is_none() {
            return neg(libc::EFAULT);
        }
        r as i64
    }

    /// `waitid(idtype, id, infop, options, rusage)`.
    pub fn waitid(&mut self, idtype: u64, id: u64, infop: u64, options: u64, rusage: u64) -> i64 {
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: valid out-pointers; the raw system call takes the rusage.
        let r = unsafe { libc::syscall(libc::SYS_waitid, idtype as libc::c_int, id as libc::id_t, &mut info as *mut libc::siginfo_t, options as libc::c_int, &mut ru as *mut libc::rusage) };
        let r = if r < 0 { errno() } else { r };
        // As Linux: the rusage only for a child waited for; the six
        // fields of the siginfo (zeros when nothing was waited for) also
        // after an error (ECHILD, EINVAL), EFAULT if they cannot be
        // written; nothing else of it.
        if r == 0 && info.si_signo == libc::SIGCHLD && rusage != 0 && self.space.write_bytes(rusage, &rusage_to_guest(&ru)).is_none() {
            return neg(libc::EFAULT);
        }
        if infop == 0 {
            return r;
        }
        // SAFETY: the fields of a SIGCHLD siginfo (zero when nothing was
        // waited for).
        let (pid, uid, status) = unsafe { (info.si_pid(), info.si_uid(), info.si_status()) };
        let mut head = [0u8; 12];
        head[0..4].copy_from_slice(&info.si_signo.to_le_bytes());
        head[8..12].copy_from_slice(&info.si_code.to_le_bytes());
        let mut tail = [0u8; 12];
        tail[0..4].copy_from_slice(&pid.to_le_bytes());
        tail[4..8].copy_from_slice(&uid.to_le_bytes());
        tail[8..12].copy_from_slice(&status.to_le_bytes());
        if self.space.write_bytes(infop, &head).is_none() || self.space.write_bytes(infop.wrapping_add(16), &tail).is_none() {
            return neg(libc::EFAULT);
        }
        r
    }

    /// `rt_sigsuspend(mask, size)`: waits with `mask` until a signal the
    /// guest handles is pending; the handler's frame restores the old mask.
    pub fn sigsuspend(&mut self, mask: u64, size: u64) -> i64 {
        if size != 8 {
            return neg(libc::EINVAL);
        }
        let Some(m) = self.space.read_u64(mask) else { return neg(libc::EFAULT) };
        let old = self.sigmask;
        self.sigmask = m & !((1 << (libc::SIGKILL - 1)) | (1 << (libc::SIGSTOP - 1)));
        signal::wait_for_signal(self);
        self.signals.saved_mask = Some(old);
        neg(libc::EINTR)
    }
}

/// `struct rusage` of LP64 Linux: two timevals, fourteen longs.
pub fn rusage_to_guest(ru: &libc::rusage) -> Vec<u8> {
    let mut g = Vec::with_capacity(144);
    for v in [ru.ru_utime.tv_sec as i64, ru.ru_utime.tv_usec as i64, ru.ru_stime.tv_sec as i64, ru.ru_stime.tv_usec as i64] {
        g.extend_from_slice(&v.to_le_bytes());
    }
    for v in [
        ru.ru_maxrss,
        ru.ru_ixrss,
        ru.ru_idrss,
        ru.ru_isrss,
        ru.ru_minflt,
        ru.ru_majflt,
        ru.ru_nswap,
        ru.ru_inblock,
        ru.ru_oublock,
        ru.ru_msgsnd,
        ru.ru_msgrcv,
        ru.ru_nsignals,
        ru.ru_nvcsw,
        ru.ru_nivcsw,
    ] {
        g.extend_from_slice(&(v as i64).to_le_bytes());
    }
    g
}

/// Closes the descriptors marked close-on-exec, as an exec does.
pub fn close_cloexec_fds() {
    let fds: Vec<i32> = match std::fs::read_dir("/proc/self/fd") {
        Ok(d) => d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect(),
        Err(_) => return,
    };
    for fd in fds.into_iter().filter(|&fd| fd > 2) {
        // SAFETY: plain fcntl/close on descriptors of this process.
        unsafe {
            let f = libc::fcntl(fd, libc::F_GETFD);
            if f >= 0 && f & libc::FD_CLOEXEC != 0 {
                libc::close(fd);
            }
        }
    }
}
