"""lib.data: 합성 장면의 마스크가 그린 도형과 정확히 일치하는지, 시드, 예제 이미지."""

import numpy as np
import pytest
import torch

from lib import data


def inside_independently(shape: data.Shape, size: int) -> np.ndarray:
    """시험용 독립 판정: 픽셀 중심마다 도형 안인지 직접 계산 (삼각형은 무게중심 좌표, 사각형은 회전 행렬)."""
    inside = np.zeros((size, size), dtype=bool)
    for i in range(size):
        for j in range(size):
            y, x = i + 0.5, j + 0.5
            if shape.kind == "circle":
                cy, cx, r = shape.params
                inside[i, j] = np.hypot(y - cy, x - cx) <= r
            elif shape.kind == "rectangle":
                cy, cx, hh, hw, a = shape.params
                rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
                v, u = rot @ np.array([y - cy, x - cx])
                inside[i, j] = abs(v) <= hh + 1e-9 and abs(u) <= hw + 1e-9
            else:
                p = np.reshape(shape.params, (3, 2))
                t = np.linalg.solve(np.array([p[1] - p[0], p[2] - p[0]]).T, np.array([y, x]) - p[0])
                inside[i, j] = t.min() >= -1e-9 and t.sum() <= 1 + 1e-9
    return inside


def test_masks_match_the_drawn_shapes():
    config = data.SceneConfig(size=32)
    rng = np.random.default_rng(7)
    for _ in range(5):
        image, mask, shapes = data.make_scene(rng, config)
        expected = np.zeros_like(mask)
        for shape in shapes:  # 나중에 그린 도형이 위
            expected[inside_independently(shape, config.size)] = shape.label
        assert np.array_equal(mask, expected)
        assert image.shape == (3, 32, 32) and image.dtype == np.float32
        assert 0 <= image.min() and image.max() <= 1


def test_shapes_have_their_own_texture_not_the_background():
    """마스크가 도형이라고 한 곳의 색은 배경과 달라야 합니다 (그림과 마스크가 같은 판정식을 씀)."""
    config = data.SceneConfig(size=48, min_shapes=1, max_shapes=1, texture=0.0, noise=0.0)
    image, mask, shapes = data.make_scene(np.random.default_rng(3), config)
    assert np.allclose(image[:, mask > 0], np.asarray(shapes[0].color, dtype=np.float32)[:, None], atol=1e-6)
    assert not np.allclose(image[:, mask == 0].mean(1), shapes[0].color, atol=1e-3)


def test_make_scenes_is_seeded_and_has_every_class():
    images, masks = data.make_scenes(16, data.SceneConfig(size=24), seed=1)
    again, again_masks = data.make_scenes(16, data.SceneConfig(size=24), seed=1)
    other, _ = data.make_scenes(16, data.SceneConfig(size=24), seed=2)
    assert images.shape == (16, 3, 24, 24) and masks.shape == (16, 24, 24)
    assert masks.dtype == torch.int64 and images.dtype == torch.float32
    assert torch.equal(images, again) and torch.equal(masks, again_masks)
    assert not torch.equal(images, other)
    assert set(masks.unique().tolist()) == set(range(len(data.CLASS_NAMES)))


def test_make_scenes_rejects_bad_arguments():
    with pytest.raises(ValueError, match="1 이상"):
        data.make_scenes(0)
    with pytest.raises(ValueError, match="8 픽셀"):
        data.make_scenes(1, data.SceneConfig(size=4))


@pytest.mark.parametrize("name", ["astronaut", "camera", "grace_hopper"])
def test_load_sample_offline(name):
    image = data.load_sample(name, max_side=40)
    assert image.ndim == 4 and image.shape[:2] == (1, 3) and max(image.shape[-2:]) == 40
    assert image.dtype == torch.float32 and 0 <= image.min() and image.max() <= 1 and image.std() > 0.05


def test_load_sample_unknown_name():
    with pytest.raises(ValueError, match="astronaut"):
        data.load_sample("lena")


def test_grey_sample_becomes_rgb_with_equal_channels():
    camera = data.load_sample("camera", max_side=32)
    assert camera.shape[1] == 3 and torch.equal(camera[:, 0], camera[:, 1])


# ---- 기본 장면은 그대로 (1~3장이 이 장면으로 학습합니다) ----
def previous_make_scene(rng: np.random.Generator, config: data.SceneConfig):
    """붙은 쌍 선택지를 넣기 전의 ``make_scene`` 을 그대로 옮긴 것: 기본 설정의 출력과 난수 흐름을 비교합니다."""
    size = config.size
    background = rng.uniform(0.25, 0.75) + rng.uniform(-0.05, 0.05, 3)
    image = data._texture(rng, size, background, config.texture)
    mask = np.zeros((size, size), dtype=np.int64)
    for _ in range(rng.integers(config.min_shapes, config.max_shapes + 1)):
        shape = data._random_shape(rng, size, data.SHAPES[rng.integers(len(data.SHAPES))])
        inside = data.shape_mask(shape, size)
        image = np.where(inside[None], data._texture(rng, size, np.asarray(shape.color), config.texture), image)
        mask[inside] = shape.label
    image = np.clip(image + rng.normal(0, config.noise, image.shape), 0, 1)
    return image.astype(np.float32), mask


@pytest.mark.parametrize("config", [data.SceneConfig(), data.SceneConfig(size=24, texture=0.0)])
def test_default_scenes_are_unchanged_byte_for_byte(config):
    rng = np.random.default_rng(11)
    expected = [previous_make_scene(rng, config) for _ in range(6)]
    images, masks = data.make_scenes(6, config, seed=11)
    assert images.numpy().tobytes() == np.stack([e[0] for e in expected]).tobytes()
    assert masks.numpy().tobytes() == np.stack([e[1] for e in expected]).tobytes()
    same_rng = np.random.default_rng(11)
    for _ in range(6):
        data.make_scene(same_rng, config)
    assert same_rng.bit_generator.state == rng.bit_generator.state  # 난수를 꺼낸 횟수도 같음


def test_default_masks_match_the_recorded_hash():
    """같은 기계가 아니어도 정수 마스크는 같아야 합니다 (1~3장의 책 출력이 이 장면으로 만들어졌습니다)."""
    import hashlib

    _, masks = data.make_scenes(24, data.SceneConfig(), seed=0)
    assert masks.sum().item() == 47817 and masks[5].flatten().bincount(minlength=4).tolist() == [3312, 570, 214, 0]
    assert hashlib.sha256(masks.numpy().tobytes()).hexdigest()[:16] == "b4ea78e207a668ad"  # 바꾸기 전 코드의 값


# ---- 붙은 쌍 (U-Net 논문의 경계 가중치를 시험하는 장면) ----
def test_touching_pairs_share_kind_and_colour_and_are_split_by_a_background_gap():
    config = data.SceneConfig(size=64, touching=True, gap=1.5)
    rng = np.random.default_rng(0)
    from scipy import ndimage

    gaps_seen = 0
    for _ in range(8):
        image, mask, shapes = data.make_scene(rng, config)
        assert len(shapes) % 2 == 0 and image.shape == (3, 64, 64) and 0 <= image.min() and image.max() <= 1
        for first, second in zip(shapes[::2], shapes[1::2]):
            assert first.kind == second.kind and first.color == second.color
        for k in range(1, 4):  # 같은 클래스 픽셀들 사이에 대각선으로만 닿는 곳도 없습니다: 틈이 남아 있음
            labels, count = ndimage.label(mask == k, structure=np.ones((3, 3)))
            gaps_seen += count >= 2
    assert gaps_seen >= 4


def test_label_instances_counts_objects_per_class():
    mask = torch.zeros(1, 8, 8, dtype=torch.long)
    mask[0, 1:3, 1:3] = 1
    mask[0, 1:3, 5:7] = 1  # 같은 클래스, 떨어져 있음 → 두 물체
    mask[0, 5:7, 1:7] = 2  # 다른 클래스
    mask[0, 3, 3] = 0
    instances = data.label_instances(mask)
    assert instances.max() == 3 and instances[0, 1, 1] != instances[0, 1, 5]
    assert instances[0, 5, 1] == instances[0, 6, 6] and (instances[mask == 0] == 0).all()


def test_separated_pairs_counts_pairs_the_prediction_keeps_apart():
    target = torch.zeros(1, 10, 10, dtype=torch.long)
    target[0, 2:8, 1:4] = 1
    target[0, 2:8, 5:9] = 1  # 틈 한 칸(열 4)을 둔 같은 클래스 두 물체
    assert data.separated_pairs(target, target) == (1, 1)
    merged = target.clone()
    merged[0, 4, 4] = 1  # 틈을 한 픽셀만 메워도 한 덩어리
    assert data.separated_pairs(merged, target) == (0, 1)
    assert data.separated_pairs(torch.zeros_like(target), target) == (0, 1)  # 아무것도 못 찾으면 실패
    far = torch.zeros(1, 10, 10, dtype=torch.long)
    far[0, 0:2, 0:2] = 1
    far[0, 8:10, 8:10] = 1
    assert data.separated_pairs(far, far) == (0, 0)  # 멀리 떨어진 쌍은 세지 않습니다


# ---- as_class_indices ----
def test_as_class_indices_reads_0_255_and_0_1():
    stored = np.array([[0, 255], [255, 0]], dtype=np.uint8)
    assert data.as_class_indices(stored).tolist() == [[0, 1], [1, 0]]
    assert data.as_class_indices(torch.tensor([[0.0, 1.0]])).tolist() == [[0, 1]]
    assert data.as_class_indices(stored).dtype == torch.int64
    assert data.as_class_indices(np.array([[0, 2, 3]]), num_classes=4).tolist() == [[0, 2, 3]]


def test_as_class_indices_with_a_colour_palette_matches_a_direct_lookup():
    palette = {(0, 0, 0): 0, (255, 0, 0): 1, (0, 128, 0): 2, (0, 0, 255): 3}
    rng = np.random.default_rng(0)
    classes = rng.integers(0, 4, (2, 5, 7))
    colours = np.array(list(palette))[classes].astype(np.uint8)  # (N, H, W, 3)
    assert torch.equal(data.as_class_indices(colours, palette), torch.from_numpy(classes))
    grey = {2: 0, 1: 1, 3: 2}  # 흑백 팔레트 (Oxford-IIIT Pet 트라이맵)
    assert data.as_class_indices(np.array([[1, 2, 3]]), grey).tolist() == [[1, 0, 2]]


def test_as_class_indices_lists_the_values_it_cannot_explain():
    with pytest.raises(ValueError, match=r"\(1, 2, 3\)"):
        data.as_class_indices(np.array([[[0, 0, 0], [1, 2, 3]]], dtype=np.uint8), {(0, 0, 0): 0})
    with pytest.raises(ValueError, match="128"):
        data.as_class_indices(np.array([[0, 128, 255]]))
    with pytest.raises(ValueError, match="255"):  # ToTensor 가 나눈 클래스 번호: 원인을 알려 줌
        data.as_class_indices(torch.tensor([[0.0, 1 / 255, 2 / 255]]))
    with pytest.raises(ValueError, match="palette"):
        data.as_class_indices(np.zeros((4, 4, 3), dtype=np.uint8) + 7)
    with pytest.raises(ValueError, match="채널"):
        data.as_class_indices(np.zeros((4, 4), dtype=np.uint8), {(0, 0, 0): 0})


# ---- Oxford-IIIT Pet: 폴더 구조만 흉내 낸 작은 가짜 사본으로 실제 읽기 코드를 시험합니다 ----
def write_fake_pets(root, names=("Abyssinian_1", "Abyssinian_2", "yorkshire_terrier_3"), size=(30, 40)):
    """``oxford-iiit-pet/`` 의 구조(images/*.jpg, annotations/trimaps/*.png, annotations/{trainval,test}.txt)."""
    from PIL import Image

    base = root / "oxford-iiit-pet"
    (base / "images").mkdir(parents=True)
    (base / "annotations" / "trimaps").mkdir(parents=True)
    rng = np.random.default_rng(0)
    trimaps = {}
    for i, name in enumerate(names):
        Image.fromarray(rng.integers(0, 256, (*size, 3), dtype=np.uint8)).save(base / "images" / f"{name}.jpg")
        trimap = np.full(size, 2, dtype=np.uint8)  # 2 = 배경
        trimap[5:25, 10 + i:30] = 3  # 3 = 경계
        trimap[7:23, 12 + i:28] = 1  # 1 = 동물
        Image.fromarray(trimap).save(base / "annotations" / "trimaps" / f"{name}.png")
        trimaps[name] = trimap
    lines = [f"{name} {1 if name.startswith('A') else 37} {1 if name.startswith('A') else 2} 1" for name in names]
    (base / "annotations" / "trainval.txt").write_text("\n".join(lines[:2]) + "\n")
    (base / "annotations" / "test.txt").write_text(lines[2] + "\n")
    return trimaps


def test_load_pets_reads_the_real_folder_layout(tmp_path):
    trimaps = write_fake_pets(tmp_path, size=(32, 32))
    images, masks = data.load_pets(tmp_path, "trainval", image_size=32)
    assert images.shape == (2, 3, 32, 32) and images.dtype == torch.float32
    assert 0 <= images.min() and images.max() <= 1 and images.std() > 0.1
    assert masks.shape == (2, 32, 32) and masks.dtype == torch.int64
    expected = np.vectorize({1: 1, 2: 0, 3: 2}.get)(trimaps["Abyssinian_1"])  # 같은 크기면 보간 없음
    assert masks[0].tolist() == expected.tolist()
    test_images, test_masks = data.load_pets(tmp_path, "test", image_size=16)
    assert test_images.shape == (1, 3, 16, 16) and set(test_masks.unique().tolist()) == {0, 1, 2}
    assert len(data.load_pets(tmp_path, image_size=8, limit=1)[0]) == 1


def test_load_pets_without_the_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="download=True"):
        data.load_pets(tmp_path / "nowhere", image_size=16)


def test_load_pets_forwards_download_to_torchvision(tmp_path, monkeypatch):
    """download=True 는 torchvision 의 내려받기를 부릅니다: 네트워크 대신 가짜 사본을 쓰는 함수로 바꿔 확인합니다."""
    from torchvision.datasets import OxfordIIITPet

    calls = []

    def fake_download(self):
        calls.append(self._base_folder)
        if not self._base_folder.exists():
            write_fake_pets(tmp_path)

    monkeypatch.setattr(OxfordIIITPet, "_download", fake_download)
    images, masks = data.load_pets(tmp_path, image_size=8, download=True)
    assert calls == [tmp_path / "oxford-iiit-pet"] and images.shape == (2, 3, 8, 8)
    data.load_pets(tmp_path, image_size=8)  # download=False 는 부르지 않음
    assert len(calls) == 1
