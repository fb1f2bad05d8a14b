using Tcd.Models.Modeling;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Modeling;

public class AdapterTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Fresh_adapters_change_outputs_by_less_than_1e_3(bool moe)
    {
        var config = moe ? TinyConfigs.Moe : TinyConfigs.Vanilla;
        manual_seed(30);
        using var model = new BertForSequenceClassification(config, numLabels: 3);
        model.eval();
        using var ids = TinyConfigs.RandomIds(config, 2, 6, seed: 31);
        using var _ = no_grad();
        var before = model.forward(ids, null, null, EncoderTaps.None);

        model.EnableAdapters(8);
        var after = model.forward(ids, null, null, EncoderTaps.None);

        model.Config.AdapterSize.Should().Be(8);
        model.named_parameters().Count(p => p.name.Contains(".adapter.")).Should().Be(config.NumLayers * 2 * 4);
        var difference = TinyConfigs.MaxAbsDiff(after.Encoder.SequenceOutput, before.Encoder.SequenceOutput);
        difference.Should().BeGreaterThan(0).And.BeLessThan(1e-3);
        TinyConfigs.MaxAbsDiff(after.Logits, before.Logits).Should().BeLessThan(1e-3);
    }

    [Fact]
    public void Fresh_adapters_have_normal_weights_of_std_1e_3_and_zero_biases()
    {
        manual_seed(33);
        using var adapter = new HoulsbyAdapter(hiddenSize: 512, bottleneckSize: 64);

        var parameters = adapter.named_parameters().ToDictionary(p => p.name, p => p.parameter);

        parameters.Keys.Should().BeEquivalentTo(["down.weight", "down.bias", "up.weight", "up.bias"]);
        foreach (var name in new[] { "down.weight", "up.weight" })
        {
            // 32,768 draws: the sample std of Normal(0, 1e-3) lies within 2% of 1e-3 with overwhelming probability.
            parameters[name].std().item<float>().Should().BeApproximately(1e-3f, 2e-5f, name);
            parameters[name].mean().item<float>().Should().BeApproximately(0f, 2e-5f, name);
        }

        parameters["down.bias"].count_nonzero().item<long>().Should().Be(0);
        parameters["up.bias"].count_nonzero().item<long>().Should().Be(0);
    }

    [Fact]
    public void Freeze_leaves_exactly_adapters_layer_norms_and_the_task_head_trainable()
    {
        manual_seed(32);
        using var model = new BertForSequenceClassification(TinyConfigs.Moe, numLabels: 2);
        model.EnableAdapters(4);

        model.FreezeForAdapterTuning();

        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();
        var frozen = model.named_parameters().Where(p => !p.parameter.requires_grad).Select(p => p.name).ToList();
        trainable.Should().OnlyContain(name =>
            name.Contains(".adapter.") || name.Contains("LayerNorm.") || name.StartsWith("bert.pooler.") || name.StartsWith("classifier."));
        trainable.Should().Contain(["classifier.weight", "bert.pooler.dense.weight", "bert.embeddings.LayerNorm.weight",
            "bert.encoder.layer.1.output.adapter.up.weight", "bert.encoder.layer.0.attention.output.adapter.down.bias"]);
        frozen.Should().Contain(["bert.embeddings.word_embeddings.weight", "bert.encoder.layer.0.moe.router.weight",
            "bert.encoder.layer.0.moe.experts.output_weight", "bert.encoder.layer.1.attention.self.query.weight"]);
        trainable.Count.Should().Be(2 /* embedding LN */ + 2 * (2 * 2 + 2 * 4) /* per layer: 2 LNs, 2 adapters */ + 2 + 2);
    }

    [Fact]
    public void Freeze_without_adapters_says_how_to_enable_them()
    {
        using var model = new BertForSequenceClassification(TinyConfigs.Vanilla, numLabels: 2);

        var act = () => model.FreezeForAdapterTuning();

        act.Should().Throw<InvalidOperationException>().WithMessage("*EnableAdapters*");
    }
}
