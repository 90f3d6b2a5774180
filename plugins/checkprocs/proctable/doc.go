// Package proctable reads the process table: which processes run, and on
// demand their command line, name, parent, state, times, memory, thread
// count and owner.
//
// Reading is lazy. Read lists the processes; Process.Load fetches only
// the facts asked for, so a caller that matches command lines never pays
// for owners or memory sizes:
//
//	t, err := proctable.Read(ctx, proctable.Args)
//	for i := range t.Processes {
//		p := &t.Processes[i]
//		if err := p.Load(proctable.Args); errors.Is(err, proctable.ErrGone) {
//			continue // it exited after the listing: not an error
//		}
//		fmt.Println(p.PID, p.Args)
//	}
//
// # Where the facts come from
//
// On Linux everything is read from /proc, without starting a program:
// the listing is the directory /proc, the command line is
// /proc/PID/cmdline, the owner the effective uid in /proc/PID/status, and
// every other fact comes from the one line of /proc/PID/stat. Elapsed
// time is the system uptime (/proc/uptime) minus the start time in
// /proc/PID/stat, and CPU time the user plus system time there, both in
// USER_HZ ticks of 1/100 s (the value of every Linux architecture Go
// supports). The command line is the argv the process really has, its NUL
// separators turned into single spaces; a process without one (a kernel
// thread, a zombie) gets "[name]", as ps and pgrep show it.
//
// On darwin and FreeBSD the facts come from one run of
// "/bin/ps -axww -o pid=,ppid=,uid=,state=,etime=,time=,rss=,vsz=,...,command="
// (a second one, "-o pid=,ucomm=", when names are asked for), under
// LC_ALL=C; the ps process itself is left out. darwin's ps has no thread
// count. procps' ps takes the same arguments, so the Linux tests run this
// table too and hold it to what /proc says. On Windows the listing and the name, parent and thread count come
// from a toolhelp snapshot; the command line, times, memory and owner are
// asked of each process (NtQueryInformationProcess, GetProcessTimes and
// the process token), which needs the right to query it. Windows has no
// process states. A fact a system cannot give makes Read fail with an
// error that says so.
//
// # Processes that come and go
//
// The table is a snapshot of the process IDs; a process may exit before
// its facts are loaded. Load then returns ErrGone, which a caller skips:
// the process is no longer running, so there is nothing to count.
//
// A Table and its Processes are for one goroutine at a time.
package proctable
