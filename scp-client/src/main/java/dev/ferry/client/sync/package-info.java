/**
 * {@code ferry sync}'s engine: list both sides, send what differs (as a chunk delta over
 * {@code ferry-delta} when the server has it, else whole over SFTP), delete what the source no
 * longer has when asked, and add up what it took.
 */
package dev.ferry.client.sync;
