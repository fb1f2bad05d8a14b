using Tcd.Models.Losses;

namespace Tcd.Models.Tests.Losses;

public class LayerMappingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(12)]
    public void EqualDepthsMapToTheSameLayer(int layers)
    {
        var mapping = new LayerMapping(layers, layers);

        Enumerable.Range(0, layers).Select(mapping.TeacherLayerFor).Should().Equal(Enumerable.Range(0, layers));
    }

    [Theory]
    [InlineData(6, 12, new[] { 1, 3, 5, 7, 9, 11 })]
    [InlineData(12, 6, new[] { 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5 })]
    [InlineData(4, 6, new[] { 1, 2, 4, 5 })]
    [InlineData(3, 12, new[] { 3, 7, 11 })]
    [InlineData(1, 4, new[] { 3 })]
    public void DifferentDepthsMapUniformly(int student, int teacher, int[] expected)
    {
        var mapping = new LayerMapping(student, teacher);

        Enumerable.Range(0, student).Select(mapping.TeacherLayerFor).Should().Equal(expected);
    }

    [Fact]
    public void EveryDepthPairIsMonotoneInRangeAndEndsAtTheLastLayer()
    {
        for (var student = 1; student <= 12; student++)
        {
            for (var teacher = 1; teacher <= 12; teacher++)
            {
                var mapped = Enumerable.Range(0, student).Select(new LayerMapping(student, teacher).TeacherLayerFor).ToArray();

                mapped.Should().BeInAscendingOrder();
                mapped.Should().OnlyContain(layer => layer >= 0 && layer < teacher);
                mapped[^1].Should().Be(teacher - 1);
            }
        }
    }

    [Fact]
    public void TapsKeepTheirPositionWithinTheMappedLayer()
    {
        var mapping = new LayerMapping(6, 12);

        // Student layer 1 ↔ teacher layer 3; tap j of a layer stays tap j.
        mapping.TeacherTapFor(2, tapsPerLayer: 2).Should().Be(6);
        mapping.TeacherTapFor(3, tapsPerLayer: 2).Should().Be(7);
        LayerMapping.Identity(3).TeacherTapFor(5, tapsPerLayer: 2).Should().Be(5);
    }

    [Fact]
    public void OutOfRangeArgumentsThrow()
    {
        var mapping = new LayerMapping(2, 4);

        FluentActions.Invoking(() => mapping.TeacherLayerFor(2)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => mapping.TeacherTapFor(4, tapsPerLayer: 2)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new LayerMapping(0, 4)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
