import sys, subprocess, collections
def classify(path):
    out = subprocess.run(["perf","script","-i",path,"-F","comm,tid,ip,sym"],capture_output=True,text=True).stdout
    c = collections.Counter(); total=0
    for block in out.split("\n\n"):
        lines=[l.strip() for l in block.strip().split("\n") if l.strip()]
        if not lines: continue
        total+=1
        head=lines[0]; syms=" ".join(lines[1:])
        kernel = len(lines)>1 and not lines[1].split()[-1].startswith("[") and ("unknown" not in lines[1]) and lines[1].split()[0].startswith("ffff")
        cat = "user"
        if kernel:
            if "ksys_write" in syms or "sock_write_iter" in syms or "do_writev" in syms or "__sys_sendto" in syms: cat="k:write"
            elif "ep_poll" in syms or "epoll_wait" in syms or "do_epoll" in syms: cat="k:epoll_wait"
            elif "ksys_read" in syms or "sock_read_iter" in syms or "recvfrom" in syms: cat="k:read"
            elif "futex" in syms: cat="k:futex"
            elif "asm_sysvec" in syms or "irq" in syms or "asm_common_interrupt" in syms: cat="k:irq/timer"
            elif "madvise" in syms or "page_fault" in syms or "exc_page_fault" in syms: cat="k:mm"
            elif "timerfd" in syms or "nanosleep" in syms or "clock" in syms: cat="k:timers"
            else: cat="k:other " + lines[1].split()[1] if len(lines[1].split())>1 else "k:other"
        c[cat]+=1
    return total, c
for p in sys.argv[1:]:
    t,c=classify(p)
    print(p, t)
    for k,v in c.most_common(14): print("   %6.1f%% %s"%(100*v/t,k))
