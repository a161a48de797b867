import { describe, expect, it } from 'vitest';
import { synthesizeConfigured, synthesizeDefaults } from './synth.ts';

describe('unsubscribe throttles', () => {
  it.each([
    ['no context', synthesizeDefaults],
    ['every setting', synthesizeConfigured],
  ])('alarm the topic on the first opt-out request the function turned away (%s)', (_, synth) => {
    // arrange
    const { stack, template } = synth();
    const fn = stack.resolve(stack.unsubscribe.fn.function.functionName);
    const topic = stack.resolve(stack.monitoring.alarmTopic.topicArn);
    // act
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(
      (alarm) =>
        alarm.Properties.Namespace === 'AWS/Lambda' &&
        alarm.Properties.MetricName === 'Throttles' &&
        JSON.stringify(alarm.Properties.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: fn }]),
    );
    // assert
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.Properties).toMatchObject({
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
    });
  });
});
