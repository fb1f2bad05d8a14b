using Tcd.Models.Training;

namespace Tcd.Models.Tests.Training;

public class LinearWarmupDecayScheduleTests
{
    [Fact]
    public void RisesLinearlyThenDecaysToZero()
    {
        var schedule = new LinearWarmupDecaySchedule(1e-4, warmupSteps: 10, totalSteps: 110);

        schedule.LearningRateAt(0).Should().BeApproximately(1e-5, 1e-12);
        schedule.LearningRateAt(4).Should().BeApproximately(5e-5, 1e-12);
        schedule.LearningRateAt(9).Should().BeApproximately(1e-4, 1e-12);
        schedule.LearningRateAt(10).Should().BeApproximately(1e-4, 1e-12);
        schedule.LearningRateAt(60).Should().BeApproximately(5e-5, 1e-12);
        schedule.LearningRateAt(110).Should().Be(0);
    }

    [Fact]
    public void WarmupRatio_IsAFractionOfTheRun()
    {
        LinearWarmupDecaySchedule.WithWarmupRatio(2e-5, 0.06, 1000).WarmupSteps.Should().Be(60);
    }

    [Fact]
    public void WarmupLongerThanRun_Throws()
    {
        var act = () => new LinearWarmupDecaySchedule(1e-4, warmupSteps: 200, totalSteps: 100);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*longer than the run*");
    }
}
