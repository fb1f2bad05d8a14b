using Tcd.Models.Data;

namespace Tcd.Models.Tests.Data;

public sealed class TrainingSampleTests
{
    [Fact]
    public void A_capped_set_is_the_same_random_sample_every_time_not_its_first_rows()
    {
        var sortedBySource = Enumerable.Range(0, 1000).ToList();

        var sample = TrainingSample.Draw(sortedBySource, 100);

        sample.Should().HaveCount(100).And.OnlyHaveUniqueItems().And.BeSubsetOf(sortedBySource);
        sample.Should().Equal(TrainingSample.Draw(sortedBySource, 100));
        sample.Count(row => row >= 500).Should().BeInRange(30, 70, "both halves of an ordered file are drawn from");
    }

    [Fact]
    public void A_set_within_the_cap_is_kept_whole_and_in_order()
    {
        IReadOnlyList<int> rows = [3, 1, 2];

        TrainingSample.Draw(rows, 3).Should().BeSameAs(rows);
        TrainingSample.Draw(rows, null).Should().BeSameAs(rows);
        var act = () => TrainingSample.Draw(Enumerable.Range(0, 5).ToList(), 0);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("maxCount");
    }
}
