package io.switchboard.client;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A subscription listener that records everything it is told. */
final class Inbox implements SubscriptionListener {

    final List<Message> messages = new CopyOnWriteArrayList<>();
    final List<SubscribeResult> acks = new CopyOnWriteArrayList<>();
    final List<SwitchboardException> errors = new CopyOnWriteArrayList<>();
    final List<SwitchboardException> ended = new CopyOnWriteArrayList<>();

    @Override
    public void onMessage(Message m) {
        messages.add(m);
    }

    @Override
    public void onSubscribed(SubscribeResult r) {
        acks.add(r);
    }

    @Override
    public void onError(SwitchboardException e) {
        errors.add(e);
    }

    @Override
    public void onUnsubscribed(SwitchboardException why) {
        ended.add(why);
    }

    List<Long> offsets() {
        return messages.stream().map(Message::offset).toList();
    }

    List<String> payloads() {
        return messages.stream().map(Message::payload).toList();
    }
}
