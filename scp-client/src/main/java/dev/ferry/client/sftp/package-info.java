/**
 * SFTP version 3 spoken on a channel of Ferry's own ({@link dev.ferry.client.sftp.SftpPipe}), for
 * the bulk paths where MINA's SftpClient costs too much: requests pipelined, replies handled on
 * the thread that receives them, a download's data written to its file straight from the packet.
 * Also the window accounting every client channel of Ferry's shares ({@link
 * dev.ferry.client.sftp.WindowAccount}, {@link dev.ferry.client.sftp.Tally}).
 */
package dev.ferry.client.sftp;
