package io.switchboard.client;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records connection events as short strings and objects, for assertions. */
final class Recorder implements ConnectionListener {

    final List<String> events = new CopyOnWriteArrayList<>();
    final List<Disconnect> disconnects = new CopyOnWriteArrayList<>();
    final List<Disconnect> closes = new CopyOnWriteArrayList<>();
    final List<Welcome> welcomes = new CopyOnWriteArrayList<>();
    final List<SwitchboardException> errors = new CopyOnWriteArrayList<>();

    @Override
    public void onConnecting(int attempt) {
        events.add("connecting " + attempt);
    }

    @Override
    public void onConnected(Welcome welcome) {
        welcomes.add(welcome);
        events.add("connected");
    }

    @Override
    public void onDisconnected(Disconnect d) {
        disconnects.add(d);
        events.add("disconnected " + d.code() + (d.willRetry() ? " retry" : " final"));
    }

    @Override
    public void onClosed(Disconnect last) {
        closes.add(last);
        events.add("closed " + last.code());
    }

    @Override
    public void onError(SwitchboardException error) {
        errors.add(error);
        events.add("error " + error.code());
    }

    Disconnect lastDisconnect() {
        return disconnects.get(disconnects.size() - 1);
    }
}
