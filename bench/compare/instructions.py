#!/usr/bin/env python3
"""instructions.py — instructions the server executes per request (callgrind; load-independent).

Usage: instructions.py PATH/TO/sasae URL-PATH   (e.g. build/sasae "/search?q=%E8%AA%8D%E7%9F%A5%E7%97%87")
Runs `sasae serve --threads 1` under valgrind twice (100 and 600 requests over one keep-alive
connection) and prints (I600 - I100) / 500.
"""
import subprocess, sys, socket, time, http.client, tempfile, os, re, signal
def free():
    s=socket.socket(); s.bind(("127.0.0.1",0)); p=s.getsockname()[1]; s.close(); return p
def run(bin, path, n):
    d=tempfile.mkdtemp()
    subprocess.run([bin,"--db",d+"/db","import","--sample","--quiet"],check=True)
    port=free(); out=d+"/cg.out"
    p=subprocess.Popen(["valgrind","--tool=callgrind","--callgrind-out-file="+out,bin,"--db",d+"/db","serve","--quiet","--port",str(port),"--threads","1"],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            c=http.client.HTTPConnection("127.0.0.1",port,timeout=60); c.request("GET","/"); c.getresponse().read(); break
        except OSError: time.sleep(0.1)
    c=http.client.HTTPConnection("127.0.0.1",port,timeout=60)
    for i in range(n):
        c.request("GET",path); r=c.getresponse(); r.read()
    p.send_signal(signal.SIGTERM); p.wait()
    txt=open(out).read()
    m=re.search(r"^summary: (\d+)",txt,re.M) or re.search(r"^totals: (\d+)",txt,re.M)
    return int(m.group(1))
bin,path=sys.argv[1],sys.argv[2]
a=run(bin,path,100); b=run(bin,path,600)
print(f"{path} {bin.split('/')[-2]}: {(b-a)/500:,.0f} instructions/request")
