/**
 * Chunk-delta transfer of one file, named for its steps: the receiver sends the {@link
 * dev.ferry.delta.Signature} of its old copy, the sender answers with a {@link dev.ferry.delta.Diff}
 * (copy these old chunks, insert these new bytes), and the receiver applies the {@link
 * dev.ferry.delta.Patch} to a temporary file that replaces the old one only once its size and SHA-256
 * are right. {@link dev.ferry.delta.DeltaReceiver} and {@link dev.ferry.delta.DeltaSender} run the
 * steps, with the one retry on a mismatch, over the messages of {@link dev.ferry.delta.protocol};
 * the server and the client each play either role.
 */
package dev.ferry.delta;
