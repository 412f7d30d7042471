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
 * upload    client: OpenUpload(FULL, STOPPABLE or GROUPED)
 *           server: SignatureBatch*, SignatureEnd          (the server receives the new file)
 *                   or, GROUPED: GroupBatch*, SignatureEnd (two levels)
 *           client: [SignatureStop], [DetailRequest], (CopyChunks | Literal)*, FileEnd
 *           server: after a DetailRequest: SignatureBatch* (the chunks of the groups it names)
 *           server: Result | Retry (then the client may open the file again)
 *
 *           client: OpenUpload(NONE), Literal*, FileEnd    (whole: nothing to wait for)
 *           server: Result
 *
 * download  client: OpenDownload, SignatureBatch* or GroupBatch* (if grouped), SignatureEnd
 *           server: [SignatureStop], [DetailRequest], (CopyChunks | Literal)*, FileEnd
 *           client: after a DetailRequest: SignatureBatch* (the chunks of the groups it names)
 *           client: Result | Retry (then it may ask for the file again)
 *
 * listing  client: ListRequest                            (before or between batches of files)
 *           server: ListBatch*, ListEnd
 *
 * either:   Failure, in place of any answer
 * </pre>
 * Requests are pipelined: the client may send further requests before earlier ones are answered,
 * and the server answers them in order, one answer per request (a signature or a Failure for an
 * open, a Result, Retry or Failure for a FileEnd). The client sends each file's instructions in
 * one run up to its FileEnd: a whole upload's right after its request, the others' in the order
 * they were opened. A stoppable signature (OpenUpload STOPPABLE, OpenDownload with may-stop) is the
 * only thing in flight while it lasts, so the side making it can look for a SignatureStop between
 * batches; a stop that crosses the signature's end is ignored. A grouped request (OpenUpload
 * GROUPED, OpenDownload with grouped) is alone from its request to its FileEnd, since a
 * DetailRequest and its answer come between the signature and the instructions.
 *
 * This package only encodes and decodes; which message may come when is the session's business
 * ({@code dev.ferry.server.delta} and {@code dev.ferry.client.delta}), and compressing literals is
 * the delta pipeline's.
 */
package dev.ferry.delta.protocol;
