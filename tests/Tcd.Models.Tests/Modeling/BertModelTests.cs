using Tcd.Models.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Modeling;

public class BertModelTests
{
    public static TheoryData<bool> VanillaAndMoe => new() { false, true };

    [Theory]
    [MemberData(nameof(VanillaAndMoe))]
    public void Padding_does_not_change_outputs_at_real_positions(bool moe)
    {
        var config = moe ? TinyConfigs.Moe : TinyConfigs.Vanilla;
        manual_seed(10);
        using var model = new BertForMaskedLm(config);
        model.eval();
        using var ids = TinyConfigs.RandomIds(config, 2, 6, seed: 11);
        using var types = tensor(new long[] { 0, 0, 0, 1, 1, 1 }).unsqueeze(0).expand(2, 6);
        using var paddedIds = cat([ids, TinyConfigs.RandomIds(config, 2, 4, seed: 12)], dim: 1);
        using var paddedTypes = cat([types, ones(2, 4, dtype: ScalarType.Int64)], dim: 1);
        using var mask = cat([ones(2, 6, dtype: ScalarType.Int64), zeros(2, 4, dtype: ScalarType.Int64)], dim: 1);
        using var _ = no_grad();

        var plain = model.forward(ids, types, null, EncoderTaps.None, null);
        var padded = model.forward(paddedIds, paddedTypes, mask, EncoderTaps.None, null);

        TinyConfigs.MaxAbsDiff(padded.Logits.narrow(1, 0, 6), plain.Logits).Should().BeLessThan(1e-5);
        if (moe)
        {
            padded.Encoder.MoeRouting.Select(r => r.TokensPerExpert.sum().item<long>()).Should().OnlyContain(count => count == 12);
            TinyConfigs.MaxAbsDiff(padded.Encoder.LoadBalanceLoss!, plain.Encoder.LoadBalanceLoss!).Should().BeLessThan(1e-6);
        }
        else
        {
            padded.Encoder.MoeRouting.Should().BeEmpty();
            padded.Encoder.LoadBalanceLoss.Should().BeNull();
        }
    }

    [Theory]
    [MemberData(nameof(VanillaAndMoe))]
    public void Taps_have_the_documented_counts_and_shapes(bool moe)
    {
        var config = moe ? TinyConfigs.Moe : TinyConfigs.Vanilla;
        manual_seed(13);
        using var model = new BertModel(config);
        model.eval();
        using var ids = TinyConfigs.RandomIds(config, 3, 5, seed: 14);
        using var _ = no_grad();

        var output = model.forward(ids, null, null, EncoderTaps.All);

        output.Trunk.Should().HaveCount(2 * config.NumLayers).And.OnlyContain(t => t.shape.SequenceEqual(new long[] { 3, 5, 32 }));
        output.Inner.Should().HaveCount(2 * config.NumLayers).And.OnlyContain(t => t.shape.SequenceEqual(new long[] { 3, 5, 32 }));
        output.Queries.Should().HaveCount(config.NumLayers).And.OnlyContain(t => t.shape.SequenceEqual(new long[] { 3, 2, 5, 16 }));
        output.Keys.Should().HaveCount(config.NumLayers).And.OnlyContain(t => t.shape.SequenceEqual(new long[] { 3, 2, 5, 16 }));
        TinyConfigs.MaxAbsDiff(output.Trunk[^1], output.SequenceOutput).Should().Be(0);
        output.MoeRouting.Should().HaveCount(moe ? config.NumLayers : 0);
        output.PooledOutput!.shape.Should().Equal(3, 32);
    }

    [Fact]
    public void Trunk_and_inner_taps_are_linked_by_the_residual_layer_norm()
    {
        manual_seed(15);
        using var model = new BertModel(TinyConfigs.Vanilla);
        model.eval();
        using var ids = TinyConfigs.RandomIds(TinyConfigs.Vanilla, 2, 4, seed: 16);
        using var _ = no_grad();

        var output = model.forward(ids, null, null, EncoderTaps.Trunk | EncoderTaps.Inner);

        // Layer 0's FFN trunk output is LayerNorm(FFN inner + layer 0's attention trunk output).
        var layerNorm = model.get_parameter("encoder.layer.0.output.LayerNorm.weight");
        var bias = model.get_parameter("encoder.layer.0.output.LayerNorm.bias");
        var expected = nn.functional.layer_norm(output.Inner[1] + output.Trunk[0], [32], layerNorm, bias, TinyConfigs.Vanilla.LayerNormEps);
        TinyConfigs.MaxAbsDiff(output.Trunk[1], expected).Should().BeLessThan(1e-5);
    }

    [Fact]
    public void No_taps_give_empty_lists()
    {
        manual_seed(17);
        using var model = new BertModel(TinyConfigs.Vanilla, addPoolingLayer: false);
        using var ids = TinyConfigs.RandomIds(TinyConfigs.Vanilla, 1, 4, seed: 18);

        var output = model.forward(ids, null, null, EncoderTaps.None);

        output.Trunk.Should().BeEmpty();
        output.Inner.Should().BeEmpty();
        output.Queries.Should().BeEmpty();
        output.Keys.Should().BeEmpty();
        output.HasPooler.Should().BeFalse();
        output.PooledOutput.Should().BeNull();
    }

    [Fact]
    public void State_dict_keys_are_the_hugging_face_bert_for_masked_lm_keys()
    {
        using var model = new BertForMaskedLm(TinyConfigs.Vanilla with { NumLayers = 1 });

        var keys = model.state_dict().Keys.Order(StringComparer.Ordinal).ToArray();

        string[] layer =
        [
            "attention.self.query.weight", "attention.self.query.bias", "attention.self.key.weight", "attention.self.key.bias",
            "attention.self.value.weight", "attention.self.value.bias", "attention.output.dense.weight", "attention.output.dense.bias",
            "attention.output.LayerNorm.weight", "attention.output.LayerNorm.bias", "intermediate.dense.weight", "intermediate.dense.bias",
            "output.dense.weight", "output.dense.bias", "output.LayerNorm.weight", "output.LayerNorm.bias",
        ];
        var expected = new[]
            {
                "bert.embeddings.word_embeddings.weight", "bert.embeddings.position_embeddings.weight",
                "bert.embeddings.token_type_embeddings.weight", "bert.embeddings.LayerNorm.weight", "bert.embeddings.LayerNorm.bias",
                "cls.predictions.bias", "cls.predictions.transform.dense.weight", "cls.predictions.transform.dense.bias",
                "cls.predictions.transform.LayerNorm.weight", "cls.predictions.transform.LayerNorm.bias",
            }
            .Concat(layer.Select(name => "bert.encoder.layer.0." + name))
            .Order(StringComparer.Ordinal);
        keys.Should().Equal(expected);
    }

    [Fact]
    public void Moe_and_adapter_keys_and_shapes_follow_the_contract()
    {
        var config = TinyConfigs.Moe with { NumLayers = 1, AdapterSize = 8 };
        using var model = new BertForMaskedLm(config);

        var shapes = model.state_dict().ToDictionary(pair => pair.Key, pair => pair.Value.shape);

        shapes["bert.encoder.layer.0.moe.router.weight"].Should().Equal(4, 32);
        shapes["bert.encoder.layer.0.moe.router.bias"].Should().Equal(4);
        shapes["bert.encoder.layer.0.moe.experts.intermediate_weight"].Should().Equal(4, 64, 32);
        shapes["bert.encoder.layer.0.moe.experts.intermediate_bias"].Should().Equal(4, 64);
        shapes["bert.encoder.layer.0.moe.experts.output_weight"].Should().Equal(4, 32, 64);
        shapes["bert.encoder.layer.0.moe.experts.output_bias"].Should().Equal(4, 32);
        shapes.Should().ContainKeys(
            "bert.encoder.layer.0.output.LayerNorm.weight",
            "bert.encoder.layer.0.attention.output.adapter.down.weight", "bert.encoder.layer.0.attention.output.adapter.up.bias",
            "bert.encoder.layer.0.output.adapter.down.weight", "bert.encoder.layer.0.output.adapter.up.weight");
        shapes.Keys.Should().NotContain(key => key.Contains("intermediate.dense") || key.Contains("output.dense") && !key.Contains("attention"));
    }

    [Fact]
    public void Initialisation_follows_hugging_face()
    {
        manual_seed(19);
        using var model = new BertForMaskedLm(BertConfig.Tiny);
        var weights = model.state_dict();

        weights["bert.encoder.layer.0.intermediate.dense.weight"].std().item<float>().Should().BeApproximately(0.02f, 0.002f);
        weights["bert.embeddings.word_embeddings.weight"].std().item<float>().Should().BeApproximately(0.02f, 0.002f);
        weights["bert.embeddings.word_embeddings.weight"][0].abs().sum().item<float>().Should().Be(0, "the padding row starts at zero");
        weights["bert.encoder.layer.0.attention.self.query.bias"].abs().sum().item<float>().Should().Be(0);
        weights["cls.predictions.bias"].abs().sum().item<float>().Should().Be(0);
        weights["bert.encoder.layer.1.output.LayerNorm.weight"].eq(1).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Positions_select_rows_of_the_full_logits()
    {
        manual_seed(20);
        using var model = new BertForMaskedLm(TinyConfigs.Vanilla);
        model.eval();
        using var ids = TinyConfigs.RandomIds(TinyConfigs.Vanilla, 2, 5, seed: 21);
        using var positions = tensor(new long[] { 1, 4, 7 });
        using var _ = no_grad();

        var full = model.forward(ids, null, null, EncoderTaps.None, null).Logits;
        var selected = model.forward(ids, null, null, EncoderTaps.None, positions).Logits;

        full.shape.Should().Equal(2, 5, 100);
        selected.shape.Should().Equal(3, 100);
        TinyConfigs.MaxAbsDiff(selected, full.reshape(10, 100).index_select(0, positions)).Should().BeLessThan(1e-6);
    }

    [Fact]
    public void Decoder_is_tied_to_the_word_embeddings()
    {
        manual_seed(22);
        using var model = new BertForMaskedLm(TinyConfigs.Vanilla);
        using var ids = TinyConfigs.RandomIds(TinyConfigs.Vanilla, 1, 4, seed: 23);

        model.forward(ids, null, null, EncoderTaps.None, null).Logits.logsumexp(-1).sum().backward();

        // Only the rows of the 4 input tokens get gradient from the embedding lookup; the tied decoder touches every row.
        var gradient = model.Bert.Embeddings.WordEmbeddingWeight.grad!;
        gradient.abs().sum(dim: 1).gt(0).sum().item<long>().Should().Be(100, "the decoder scores, and so updates, every vocabulary row");
    }

    [Fact]
    public void Changing_dtype_moves_every_parameter_including_the_stacked_experts()
    {
        manual_seed(24);
        using var model = new BertForMaskedLm(TinyConfigs.Moe);
        model.to(ScalarType.Float64);
        model.eval();
        using var ids = TinyConfigs.RandomIds(TinyConfigs.Moe, 1, 4, seed: 25);
        using var _ = no_grad();

        var output = model.forward(ids, null, null, EncoderTaps.None, null);

        model.parameters().Should().OnlyContain(p => p.dtype == ScalarType.Float64);
        model.Bert.Encoder.Layers[0].Moe!.Experts.IntermediateWeight.dtype.Should().Be(ScalarType.Float64);
        output.Logits.dtype.Should().Be(ScalarType.Float64);
    }

    [Fact]
    public void Too_long_input_names_max_positions()
    {
        using var model = new BertModel(TinyConfigs.Vanilla);
        using var ids = ones(1, 33, dtype: ScalarType.Int64);

        var act = () => model.forward(ids, null, null, EncoderTaps.None);

        act.Should().Throw<ArgumentException>().WithMessage("*MaxPositions*");
    }

    [Fact]
    public void Outputs_moved_out_of_a_dispose_scope_survive_it()
    {
        manual_seed(26);
        using var model = new BertForMaskedLm(TinyConfigs.Moe);
        using var ids = TinyConfigs.RandomIds(TinyConfigs.Moe, 1, 4, seed: 27);
        MaskedLmOutput output;
        Tensor temporary;
        using (var scope = NewDisposeScope())
        {
            output = model.forward(ids, null, null, EncoderTaps.All, null).MoveToOuterDisposeScope();
            temporary = ones(1);
        }

        temporary.IsInvalid.Should().BeTrue("tensors left in the scope are disposed with it");
        output.Logits.IsInvalid.Should().BeFalse();
        output.Encoder.Trunk.Concat(output.Encoder.Inner).Concat(output.Encoder.Queries).Should().OnlyContain(t => !t.IsInvalid);
        output.Encoder.MoeRouting[1].TokensPerExpert.sum().item<long>().Should().Be(4);
        output.Encoder.LoadBalanceLoss!.item<float>().Should().BeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public void Dropout_acts_only_in_training_mode()
    {
        manual_seed(28);
        using var model = new BertModel(TinyConfigs.Vanilla with { HiddenDropout = 0, AttentionDropout = 0.5 }, addPoolingLayer: false);
        using var ids = TinyConfigs.RandomIds(TinyConfigs.Vanilla, 2, 6, seed: 29);
        using var _ = no_grad();

        var trainA = model.forward(ids, null, null, EncoderTaps.None).SequenceOutput;
        var trainB = model.forward(ids, null, null, EncoderTaps.None).SequenceOutput;
        model.eval();
        var evalA = model.forward(ids, null, null, EncoderTaps.None).SequenceOutput;
        var evalB = model.forward(ids, null, null, EncoderTaps.None).SequenceOutput;

        TinyConfigs.MaxAbsDiff(trainA, trainB).Should().BeGreaterThan(1e-3, "attention dropout samples a new mask each pass");
        TinyConfigs.MaxAbsDiff(evalA, evalB).Should().Be(0);
    }
}
