package dev.ferry.client.hostkeys;

/**
 * Asks the user a yes/no question, for {@link StrictHostKeyChecking#ASK}. The CLI implements it on
 * the terminal; a non-interactive run has none, and then unknown hosts are refused.
 */
@FunctionalInterface
public interface Prompter {

    /**
     * Shows {@code question} (several lines, ending with {@code (yes/no)?}) and returns whether the
     * user said yes. Blocks until answered.
     */
    boolean ask(String question);
}
