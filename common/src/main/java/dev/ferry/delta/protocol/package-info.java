/**
 * The wire protocol of Ferry's {@code ferry-delta} SSH subsystem: the messages both sides exchange
 * over one channel to bring a file up to date by sending only what changed (signature, diff as
 * instructions, patch).
 *
 * <h2>Framing</h2>
 * Each message is a frame: {@code uint32 length} of what follows, {@code uint8 type}, then the
 * body. Integers are big-endian and signed unless named uint; strings are a {@code uint16} byte count
 * and strict UTF-8. {@link dev.ferry.delta.protocol.MessageType} is the table of types and
 * {@link dev.ferry.delta.protocol.DeltaMessage} lists them with who sends them;
 * {@link dev.ferry.delta.protocol.Limits} holds every hard limit, which
 * {@link dev.ferry.delta.protocol.MessageReader} checks before it allocates anything a peer claims.
 *
 * <h2>Order</h2>
 * <pre>
 * both:     Hello (each sends its own first, without waiting)
 * client:   ChunkingSpec (once, before the first request)
 *
 * upload    client: OpenUpload
 *           server: SignatureBatch*, SignatureEnd      (the server receives the new file)
 *           client: (CopyChunks | Literal)*, FileEnd
 *           server: Result | Retry, then SignatureBatch*, SignatureEnd again ...
 *
 * download  client: OpenDownload, SignatureBatch*, SignatureEnd   (the client receives)
 *           server: (CopyChunks | Literal)*, FileEnd
 *           client: Result | Retry, then the signature again ...
 *
 * either:   Failure, in place of any answer
 * </pre>
 * This package only encodes and decodes; which message may come when is the session's business
 * ({@code dev.ferry.server.delta} and {@code dev.ferry.client.delta}), and compressing literals is
 * the delta pipeline's.
 */
package dev.ferry.delta.protocol;
