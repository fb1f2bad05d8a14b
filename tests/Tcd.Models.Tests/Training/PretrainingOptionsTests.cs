using Tcd.Models.Training;

namespace Tcd.Models.Tests.Training;

public sealed class PretrainingOptionsTests
{
    public static TheoryData<string, PretrainingOptions> OutOfRange => new()
    {
        { "LearningRate", new PretrainingOptions { LearningRate = double.NaN } },
        { "LearningRate", new PretrainingOptions { LearningRate = double.PositiveInfinity } },
        { "LearningRate", new PretrainingOptions { LearningRate = 0 } },
        { "Beta1", new PretrainingOptions { Beta1 = 2 } },
        { "Beta1", new PretrainingOptions { Beta1 = -0.1 } },
        { "Beta2", new PretrainingOptions { Beta2 = 1 } },
        { "Beta2", new PretrainingOptions { Beta2 = double.NaN } },
        { "WeightDecay", new PretrainingOptions { WeightDecay = double.PositiveInfinity } },
        { "MaxGradientNorm", new PretrainingOptions { MaxGradientNorm = double.NaN } },
        { "WarmupSteps", new PretrainingOptions { WarmupSteps = -5 } },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void AValueOutOfRange_IsRefusedNamingTheOption(string option, PretrainingOptions options)
    {
        var act = options.Validate;

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(option);
    }

    [Fact]
    public void TheDefaults_AreValid()
    {
        var act = new PretrainingOptions().Validate;

        act.Should().NotThrow();
    }
}
