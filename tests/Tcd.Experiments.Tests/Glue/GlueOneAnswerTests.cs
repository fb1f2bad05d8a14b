using Tcd.Experiments.Glue;
using Tcd.Models.Data.Glue;

namespace Tcd.Experiments.Tests.Glue;

public sealed class GlueOneAnswerTests
{
    [Fact]
    public void A_classifier_whose_every_output_picks_one_class_is_named_by_that_class()
    {
        GlueOneAnswer.Describe(GlueTask.Rte, [[0.1f, 0.9f], [-2f, 0.3f], [0f, 0.01f]]).Should().Be("the class 'not_entailment'");
        GlueOneAnswer.Describe(GlueTask.Rte, [[0.1f, 0.9f], [2f, 0.3f]]).Should().BeNull();
        GlueOneAnswer.Describe(GlueTask.Rte, [[0.1f, 0.9f]]).Should().BeNull("one example tells nothing");
    }

    [Fact]
    public void Predicted_classes_that_are_all_one_class_are_named_by_it_as_output_rows_are()
    {
        GlueOneAnswer.Describe(GlueTask.Mrpc, [1, 1, 1]).Should().Be("the class '1'");
        GlueOneAnswer.Describe(GlueTask.Rte, [1, 1]).Should().Be(GlueOneAnswer.Describe(GlueTask.Rte, [[0.1f, 0.9f], [-2f, 0.3f]]));
        GlueOneAnswer.Describe(GlueTask.Sst2, [0, 1, 0]).Should().BeNull();
        GlueOneAnswer.Describe(GlueTask.Sst2, [0]).Should().BeNull("one example tells nothing");
        FluentActions.Invoking(() => GlueOneAnswer.Describe(GlueTask.StsB, [1, 1])).Should().Throw<ArgumentException>().WithMessage("STS-B predicts scores, not classes*");
    }

    [Fact]
    public void A_regressor_whose_every_score_is_the_same_once_clipped_is_named_by_that_score()
    {
        GlueOneAnswer.Describe(GlueTask.StsB, [[-1f], [-3f], [0f]]).Should().Be("the score 0.00", "scores are clipped to 0..5 as they are scored");
        GlueOneAnswer.Describe(GlueTask.StsB, [[2.5f], [2.50001f]]).Should().Be("the score 2.50");
        GlueOneAnswer.Describe(GlueTask.StsB, [[1f], [2f]]).Should().BeNull();
    }

    [Fact]
    public void An_average_is_noted_only_when_every_score_it_averages_is_one_answers()
    {
        GlueOneAnswer.AverageNote(["note a", "note a"]).Should().Be("note a", "the average shares its scores' note and number");
        GlueOneAnswer.AverageNote(["note a", null]).Should().BeNull("a score the model told apart counts in the average");
        GlueOneAnswer.AverageNote(["note a", "note b"]).Should()
            .Be($"every score averaged is that of one answer given to every dev example (the notes of its cells say which): {GlueOneAnswer.Meaning}.");
        FluentActions.Invoking(() => GlueOneAnswer.AverageNote([])).Should().Throw<ArgumentException>();
    }
}
