package io.switchboard.protocol;

/**
 * A command's {@code id} as the client sent it: a string or an integer. The server echoes it back in the
 * same JSON form, so a client that sends {@code 7} gets {@code 7} and one that sends {@code "7"} gets {@code "7"}.
 */
public record CommandId(String text, boolean numeric) {

    public CommandId {
        if (text == null) {
            throw new IllegalArgumentException("id text is null");
        }
    }

    public static CommandId of(String text) {
        return new CommandId(text, false);
    }

    public static CommandId of(long number) {
        return new CommandId(Long.toString(number), true);
    }

    @Override
    public String toString() {
        return numeric ? text : '"' + text + '"';
    }
}
