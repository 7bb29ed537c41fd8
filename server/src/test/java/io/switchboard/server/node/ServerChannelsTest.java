package io.switchboard.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.auth.Principal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The channels the server subscribes a new connection to: its list, then its personal channel when it has one. */
class ServerChannelsTest {

    @Test
    void theListThenThePersonalChannelOnlyForUsersWhoseIdFitsAChannelName() {
        Principal alice = new Principal("alice", false, Long.MAX_VALUE, List.of(), null, List.of("news", "user:#alice"));
        assertThat(ServerChannels.of(alice, "user")).containsExactly("news", "user:#alice");
        assertThat(ServerChannels.of(alice, null)).containsExactly("news", "user:#alice");
        Principal bob = new Principal("bob", false, Long.MAX_VALUE, List.of(), null);
        assertThat(ServerChannels.of(bob, "user")).containsExactly("user:#bob");
        assertThat(ServerChannels.of(bob, null)).isEmpty();
        assertThat(ServerChannels.of(Principal.ANONYMOUS, "user")).isEmpty();
        Principal spaced = new Principal("first last", false, Long.MAX_VALUE, List.of(), null);
        assertThat(ServerChannels.personal(spaced, "user")).as("a space cannot be in a channel name").isNull();
    }
}
