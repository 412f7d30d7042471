"""Drives ferryd with asyncssh's SFTP client (an SSH implementation independent of OpenSSH).

Usage: asyncssh_sftp.py PORT USER KNOWN_HOSTS (--key FILE | --password PW) WORKDIR
Uploads WORKDIR/up.bin, lists, renames, downloads it back, makes a directory, tries chmod 6755,
and prints one JSON object with what it saw. Exits 1 with the error if anything fails.
"""
import asyncio
import json
import sys
import warnings

warnings.simplefilter("ignore")
import asyncssh  # noqa: E402


async def main(port, user, known_hosts, how, secret, workdir):
    options = dict(host="127.0.0.1", port=port, username=user, known_hosts=known_hosts,
                   agent_path=None, config=[])
    if how == "--key":
        options["client_keys"] = [secret]
        options["password"] = None
    else:
        options["client_keys"] = None
        options["password"] = secret
    async with asyncssh.connect(**options) as conn:
        async with conn.start_sftp_client() as sftp:
            await sftp.put(f"{workdir}/up.bin", "async.bin")
            await sftp.mkdir("async-dir")
            await sftp.rename("async.bin", "async-dir/moved.bin")
            names = sorted(n for n in await sftp.listdir("async-dir") if n not in (".", ".."))
            await sftp.get("async-dir/moved.bin", f"{workdir}/down.bin")
            await sftp.chmod("async-dir/moved.bin", 0o6755)
            mode = (await sftp.stat("async-dir/moved.bin")).permissions
            try:
                await sftp.chown("async-dir/moved.bin", 4242, 4242)
                chown_refused = False
            except asyncssh.SFTPError:
                chown_refused = True
            owner = (await sftp.stat("async-dir/moved.bin")).uid
            return {"names": names, "mode": mode, "chown_refused": chown_refused, "uid": owner,
                    "cipher": conn.get_extra_info("send_cipher"), "kex": conn.get_extra_info("kex_alg")}


if __name__ == "__main__":
    port, user, known_hosts, how, secret, workdir = sys.argv[1:7]
    try:
        result = asyncio.run(main(int(port), user, known_hosts, how, secret, workdir))
    except Exception as e:  # one line for the test's assertion message
        print(f"{type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(result, default=str))
