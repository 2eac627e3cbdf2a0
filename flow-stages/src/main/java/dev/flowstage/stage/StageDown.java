package dev.flowstage.stage;

/**
 * The info message a stage receives in {@code handleInfo} when a stage it watches (see {@link
 * StageContext#watch}) exits. GenStage: the {@code :DOWN} monitor message.
 *
 * @param stage the stage that exited
 * @param reason why it exited
 */
public record StageDown(Stage<?> stage, ExitReason reason) {}
