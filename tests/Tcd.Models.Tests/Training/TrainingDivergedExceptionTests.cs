using System.Globalization;
using Tcd.Models.Training;

namespace Tcd.Models.Tests.Training;

public sealed class TrainingDivergedExceptionTests
{
    [Fact]
    public void The_value_that_was_not_finite_is_written_the_same_in_every_culture()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            new TrainingDivergedException(7, "the gradient norm", double.PositiveInfinity, lastGoodCheckpoint: null)
                .Message.Should().StartWith("Training diverged at step 7: the gradient norm is Infinity. ");
            TrainingDivergedException.InFineTuning(2, 40, "the gradient norm", double.NegativeInfinity)
                .Message.Should().StartWith("Fine-tuning diverged at step 40 (epoch 2): the gradient norm is -Infinity. ");
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }
}
