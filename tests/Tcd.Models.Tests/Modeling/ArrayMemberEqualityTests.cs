using Tcd.Models.Modeling;

namespace Tcd.Models.Tests.Modeling;

/// <summary>Records with an array member compare it element by element, not by reference.</summary>
public sealed class ArrayMemberEqualityTests
{
    [Fact]
    public void Safetensors_entries_with_equal_shapes_are_equal_and_hash_alike_and_another_dimension_is_not()
    {
        var first = new SafeTensorInfo("bert.embeddings.word_embeddings.weight", "F32", [30522, 768], 0, 93763584);
        var second = new SafeTensorInfo("bert.embeddings.word_embeddings.weight", "F32", [30522, 768], 0, 93763584);

        first.Should().Be(second);
        first.Shape.Should().NotBeSameAs(second.Shape);
        first.GetHashCode().Should().Be(second.GetHashCode());
        (first with { Shape = [30522, 769] }).Should().NotBe(first);
        (first with { Shape = [30522] }).Should().NotBe(first);
        (first with { End = 1 }).Should().NotBe(first, "the members beside the shape still count");
    }

    [Fact]
    public void Moe_layer_statistics_with_equal_token_shares_are_equal_and_hash_alike_and_another_share_is_not()
    {
        var first = new MoeLayerStatistics([0.5, 0.25, 0.25, 0.0], 2.0, 0.125, 1.04);
        var second = new MoeLayerStatistics([0.5, 0.25, 0.25, -0.0], 2.0, 0.125, 1.04);

        first.Should().Be(second, "0 and -0 are equal shares");
        first.TokenShare.Should().NotBeSameAs(second.TokenShare);
        first.GetHashCode().Should().Be(second.GetHashCode());
        (first with { TokenShare = [0.5, 0.25, 0.125, 0.125] }).Should().NotBe(first);
        (first with { RouterEntropy = 1.05 }).Should().NotBe(first, "the members beside the shares still count");
    }
}
