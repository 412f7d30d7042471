/**
 * Chunk-delta transfer, named for its steps: the receiver sends the {@link
 * dev.ferry.delta.Signature} of its old copy, the sender answers with a {@link dev.ferry.delta.Diff}
 * (copy these old chunks, insert these new bytes), and the receiver applies the {@link
 * dev.ferry.delta.Patch} to a temporary file that replaces the old one only once its size and digest
 * (XXH3-128 by default, SHA-256 if asked for) are right. {@link dev.ferry.delta.Incoming} and
 * {@link dev.ferry.delta.Outgoing} are one file at either end; {@link dev.ferry.delta.Uploads} and
 * {@link dev.ferry.delta.Downloads} pipeline a batch of files from the requesting side (the client), {@link dev.ferry.delta.Responder} answers them
 * (the server). {@link dev.ferry.delta.WholeOrDelta} judges a large file by a sample of its
 * signature and the session's {@link dev.ferry.delta.Estimates}, with {@link
 * dev.ferry.delta.CostModel}'s arithmetic. {@link dev.ferry.delta.FileChunking} picks each file's chunk
 * size and digest length; {@link dev.ferry.delta.Listing} lists a tree for the other side.
 */
package dev.ferry.delta;
