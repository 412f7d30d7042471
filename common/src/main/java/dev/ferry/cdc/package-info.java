/**
 * Content-defined chunking for Ferry's delta sync: cuts a file into chunks whose boundaries depend
 * on the bytes around them rather than on their offsets, so an insert or delete moves only the
 * boundaries near it and every other chunk is found again on the other side by its digest.
 *
 * <p>{@link dev.ferry.cdc.GearChunker} finds the cut points (one frozen algorithm version per
 * class), {@link dev.ferry.cdc.StreamChunker} applies it to a stream or a channel, and
 * {@link dev.ferry.cdc.ChunkDigests} chunks a file and digests each chunk with XXH3-128. The whole
 * file is verified separately, with XXH3-128 or SHA-256 (see {@code dev.ferry.delta.protocol.FileDigest}).
 */
package dev.ferry.cdc;
