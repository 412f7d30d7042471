/**
 * The hostile-input suite (issue 18): malformed and abusive input over real SSH channels and raw
 * sockets, each answered with an error and a log line while ferryd stays up, keeps its memory and
 * descriptors bounded, and serves another user. The support classes write the wire by hand:
 * {@link dev.ferry.it.hostile.SftpWire} (SFTP packets, lying lengths included),
 * {@link dev.ferry.it.hostile.ScpWire} (SCP protocol lines), {@link dev.ferry.it.hostile.RawChannel}
 * (channel and global requests) and {@link dev.ferry.it.hostile.PreAuth} (bytes before the handshake).
 */
package dev.ferry.it.hostile;
