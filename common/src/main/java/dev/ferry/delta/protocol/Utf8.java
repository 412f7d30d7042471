package dev.ferry.delta.protocol;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 both ways. String.getBytes and new String(bytes) replace what they cannot code with
 * '?' or U+FFFD, which would silently change a path; here such text is refused instead.
 */
final class Utf8 {

    private Utf8() {
    }

    /** @throws IllegalArgumentException if the text holds an unpaired surrogate */
    static byte[] encode(String text, String what) {
        try {
            ByteBuffer bytes = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(text));
            byte[] result = new byte[bytes.remaining()];
            bytes.get(result);
            return result;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + " must be valid Unicode text (it holds an unpaired surrogate)", e);
        }
    }

    /** @throws ProtocolException if the bytes are not UTF-8 (overlong forms and encoded surrogates included) */
    static String decode(byte[] bytes, String what) throws ProtocolException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException(what + " must be valid UTF-8", e);
        }
    }
}
