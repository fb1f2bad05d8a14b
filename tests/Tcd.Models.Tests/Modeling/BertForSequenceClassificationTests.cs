using Tcd.Models.Modeling;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Modeling;

public class BertForSequenceClassificationTests
{
    [Fact]
    public void From_pretrained_copies_the_encoder_and_classifies_from_the_pooled_cls_token()
    {
        manual_seed(40);
        using var pretrained = new BertForMaskedLm(TinyConfigs.Moe);
        pretrained.eval();
        using var classifier = BertForSequenceClassification.FromPretrained(pretrained, numLabels: 3);
        classifier.eval();
        using var ids = TinyConfigs.RandomIds(TinyConfigs.Moe, 2, 5, seed: 41);
        using var _ = no_grad();

        var source = pretrained.forward(ids, null, null, EncoderTaps.None, null).Encoder.SequenceOutput;
        var result = classifier.forward(ids, null, null, EncoderTaps.None);

        result.Logits.shape.Should().Equal(2, 3);
        TinyConfigs.MaxAbsDiff(result.Encoder.SequenceOutput, source).Should().Be(0);
        var pooled = tanh(nn.functional.linear(source.select(1, 0), classifier.get_parameter("bert.pooler.dense.weight")!, classifier.get_parameter("bert.pooler.dense.bias")));
        var expected = nn.functional.linear(pooled, classifier.get_parameter("classifier.weight")!, classifier.get_parameter("classifier.bias"));
        TinyConfigs.MaxAbsDiff(result.Logits, expected).Should().BeLessThan(1e-6);
    }

    [Fact]
    public void One_label_is_regression_and_zero_labels_are_rejected()
    {
        using var regressor = new BertForSequenceClassification(TinyConfigs.Vanilla, numLabels: 1);
        using var ids = TinyConfigs.RandomIds(TinyConfigs.Vanilla, 4, 3, seed: 42);

        regressor.forward(ids, null, null, EncoderTaps.None).Logits.shape.Should().Equal(4, 1);
        var act = () => new BertForSequenceClassification(TinyConfigs.Vanilla, numLabels: 0);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*regression*");
    }
}
