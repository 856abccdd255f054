# sipis-http: the nginx end-to-end test puts Debian's nginx in front of two HTTP servers.
apt-get install -y --no-install-recommends nginx
